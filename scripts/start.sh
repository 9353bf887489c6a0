#!/bin/sh
# Entry of `npm start`: compiles src/ to build/ (about a second) and runs the
# server from the JavaScript, without the tsx loader in the process.
#
# On the embedded database (no DATABASE_URL) the server also runs with
# settings that keep its resident memory small (docs/benchmarks.md, Memory).
# They are a 1 MiB young generation and at most two malloc arenas.
# Allocations from 8 KiB up get their own mappings, which go back to the
# system when freed. A variable set by the operator wins over these, and
# setting one to an empty value switches that setting off.
set -eu
cd "$(dirname "$0")/.."
node scripts/build.mjs
if [ -z "${DATABASE_URL:-}" ]; then
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX-2}"
  export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=8192:glibc.malloc.trim_threshold=32768}"
  exec node --max-semi-space-size=1 build/main.js
fi
exec node build/main.js
