#!/usr/bin/env bash
# `make test`: the suite on SQLite, and on PostgreSQL too when DATABASE_URL_TEST is set.
#
# With both engines the two passes run side by side (most tests wait on sockets, subprocesses and
# the database, so two passes on two cores take little longer than the longer one). Both stream to
# the terminal as they go, the SQLite pass's lines marked "[sqlite]", and each pass prints its own
# summary. Each pass has a temporary directory of its own. When REDIS_URL is set, only the
# PostgreSQL pass uses Redis (one server, one database: two passes at once would deliver each
# other's events and share rate limits); the Redis tests then run once, in that pass. Both passes
# run to the end even when one fails; the exit status is the worse of the two. A pass that runs
# past TEST_PASS_TIMEOUT seconds (default 4800) is interrupted so that it still prints what
# failed; stopping this script (Ctrl-C, SIGTERM) stops both passes.
set -u
BIN=${BIN:-.venv/bin}
LIMIT=${TEST_PASS_TIMEOUT:-4800}
args=("$@")

if [ -z "${DATABASE_URL_TEST:-}" ]; then
  exec timeout -s INT -k 60 "$LIMIT" "$BIN/pytest" -q -p no:cacheprovider "${args[@]}"
fi

tmp=$(mktemp -d -t council-test-XXXXXX)
sqlite_pid=""
stop() {
  [ -n "$sqlite_pid" ] && kill -INT "$sqlite_pid" 2>/dev/null
  wait
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "== the suite on SQLite and on PostgreSQL, side by side (SQLite's lines marked [sqlite]) =="
(
  REDIS_URL= timeout -s INT -k 60 "$LIMIT" "$BIN/pytest" -q -p no:cacheprovider \
    --basetemp="$tmp/sqlite" "${args[@]}" 2>&1
  echo "$?" >"$tmp/sqlite.status"
) | sed -u 's/^/[sqlite] /' &
sqlite_pid=$!

COUNCIL_TEST_DB=postgres timeout -s INT -k 60 "$LIMIT" "$BIN/pytest" -q -p no:cacheprovider \
  -m "not browser" --basetemp="$tmp/postgres" "${args[@]}"
pg_status=$?

wait "$sqlite_pid"
sqlite_pid=""
sqlite_status=$(cat "$tmp/sqlite.status" 2>/dev/null || echo 1)
echo
echo "== SQLite pass exited with $sqlite_status; PostgreSQL pass exited with $pg_status =="
[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
