#!/usr/bin/env bash
# `make test`: the suite on SQLite, and on PostgreSQL too when DATABASE_URL_TEST is set.
#
# With both engines the two passes run side by side (most tests wait on sockets, subprocesses and
# the database, so two passes on two cores take little longer than the longer one): the PostgreSQL
# pass streams to the terminal as it goes, the SQLite pass to a log printed when it ends. Each pass
# has a temporary directory of its own. When REDIS_URL is set, only the PostgreSQL pass uses Redis
# (one server, one database: two passes at once would deliver each other's events and share rate
# limits); the Redis tests then run once, in that pass. Both passes run to the end even when one
# fails; the exit status is the worse of the two.
set -u
BIN=${BIN:-.venv/bin}
args=("$@")

if [ -z "${DATABASE_URL_TEST:-}" ]; then
  exec "$BIN/pytest" -q -p no:cacheprovider "${args[@]}"
fi

tmp=$(mktemp -d -t council-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sqlite" "$tmp/postgres"

echo "== SQLite and PostgreSQL passes side by side (the SQLite pass's output follows at its end) =="
REDIS_URL= "$BIN/pytest" -q -p no:cacheprovider --basetemp="$tmp/sqlite/base" "${args[@]}" \
  >"$tmp/sqlite.log" 2>&1 &
sqlite_pid=$!

echo "== the suite on PostgreSQL =="
COUNCIL_TEST_DB=postgres "$BIN/pytest" -q -p no:cacheprovider -m "not browser" \
  --basetemp="$tmp/postgres/base" "${args[@]}"
pg_status=$?

wait "$sqlite_pid"
sqlite_status=$?
echo
echo "== the suite on SQLite =="
cat "$tmp/sqlite.log"
echo
echo "== SQLite pass exited with $sqlite_status; PostgreSQL pass exited with $pg_status =="
[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
