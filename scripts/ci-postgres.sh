#!/usr/bin/env bash
# Prints `TEST_DATABASE_URL=…` for a PostgreSQL server the tests may create
# databases on: the machine's local service when it answers (started if it is
# installed but stopped), otherwise a throwaway cluster in a temporary folder.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >&2 || true
  for _ in $(seq 1 20); do
    pg_isready -q -h 127.0.0.1 -p 5432 && { echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"; exit 0; }
    sleep 0.5
  done
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/aduan-pg.XXXXXX)
chown postgres "$dir" 2>/dev/null || true
port=55432
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run "$bindir/initdb -D $dir/data -U postgres -A trust" >&2
run "$bindir/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start" >&2
echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
