#!/usr/bin/env bash
# Runs every test file under test/ with node:test. Database tests run on PGlite
# and, when TEST_DATABASE_URL is set, on that PostgreSQL server as well.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under test/" >&2
  exit 1
fi
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
