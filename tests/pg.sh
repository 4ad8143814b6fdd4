#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the test suite, on 127.0.0.1 only, data in a temporary folder.
#
#   tests/pg.sh [start]   install the server if needed, start it, print the URL for TRACKER_TEST_PG_URL
#   tests/pg.sh stop      stop it and delete its data
#   tests/pg.sh url       print the URL (exit 1 if the server is not running)
#
# Port: $TRACKER_PG_PORT (default 55432). Runs the server as the postgres user when started as root.
# Usage in CI:  export TRACKER_TEST_PG_URL=$(tests/pg.sh) && pytest; tests/pg.sh stop
set -euo pipefail

PORT="${TRACKER_PG_PORT:-55432}"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
STATE="${TMPDIR:-/tmp}/tracker-pg-$PORT.dir"   # remembers the data folder of the running server
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"

log() { echo "pg.sh: $*" >&2; }

as_owner() {  # run a server binary as the postgres user (root may not run the server)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

install_server() {
  [ -x "$BIN/initdb" ] && return 0
  if pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; then
    log "a package installation is running; waiting for $BIN/initdb"
    for _ in $(seq 1 600); do [ -x "$BIN/initdb" ] && return 0; sleep 1; done
  fi
  if [ ! -x "$BIN/initdb" ]; then
    [ "$(id -u)" = 0 ] || { log "PostgreSQL 15 is not installed and this is not root: apt-get install postgresql"; exit 1; }
    log "installing PostgreSQL (apt-get install -y postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
  fi
  for _ in $(seq 1 120); do [ -x "$BIN/initdb" ] && return 0; sleep 1; done
  log "$BIN/initdb still missing after installing"; exit 1
}

start() {
  if ready; then log "already running on 127.0.0.1:$PORT"; echo "$URL"; return 0; fi
  install_server
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tracker-pg.XXXXXX")"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  chmod 700 "$dir"
  as_owner "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  echo "$dir" >"$STATE"
  log "PostgreSQL running on 127.0.0.1:$PORT (data in $dir)"
  echo "$URL"
}

stop() {
  [ -f "$STATE" ] || { log "no server started by pg.sh on port $PORT"; return 0; }
  local dir
  dir="$(cat "$STATE")"
  if [ -d "$dir/data" ]; then as_owner "$BIN/pg_ctl" -D "$dir/data" -w stop -m fast >&2 || true; fi
  rm -rf -- "$dir" "$STATE"
  log "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) if ready; then echo "$URL"; else exit 1; fi ;;
  *) echo "usage: $0 [start|stop|url]" >&2; exit 2 ;;
esac
