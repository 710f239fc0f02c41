#!/usr/bin/env bash
# Installs (if missing), starts and stops the real servers that the junixsocket adapter's tests talk to
# through Shunt sockets: PostgreSQL and Redis, each listening only on a Unix socket.
#
#   test-servers.sh start   install what is missing (apt, needs root), start both servers
#   test-servers.sh stop    stop both servers
#
# PostgreSQL: a throwaway cluster in $SHUNT_TEST_PG_DIR (default /tmp/shunt-pg), socket
#   $SHUNT_TEST_PG_DIR/.s.PGSQL.5432, no TCP, trust authentication for the role "postgres".
# Redis: socket $SHUNT_TEST_REDIS_DIR/redis.sock (default /tmp/shunt-redis), no TCP, no persistence.
# The tests read the same variables (docs/junixsocket.md).
set -euo pipefail

PG_DIR=${SHUNT_TEST_PG_DIR:-/tmp/shunt-pg}
REDIS_DIR=${SHUNT_TEST_REDIS_DIR:-/tmp/shunt-redis}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_missing() {
  local packages=()
  [ -n "$(pg_bin)" ] || packages+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  if [ ${#packages[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${packages[@]}"
  fi
}

stop_servers() {
  local bin
  bin=$(pg_bin)
  if [ -n "$bin" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
  fi
  if [ -S "$REDIS_DIR/redis.sock" ]; then
    redis-cli -s "$REDIS_DIR/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  fi
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_DIR"
  fi
  as_postgres "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-k $PG_DIR -c listen_addresses=''" start >/dev/null
  echo "PostgreSQL listening on $PG_DIR/.s.PGSQL.5432"
}

start_redis() {
  rm -rf "$REDIS_DIR"
  mkdir -p "$REDIS_DIR"
  redis-server --port 0 --unixsocket "$REDIS_DIR/redis.sock" --unixsocketperm 700 --daemonize yes \
    --save '' --appendonly no --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" \
    --logfile "$REDIS_DIR/redis.log"
  for _ in $(seq 1 100); do
    if redis-cli -s "$REDIS_DIR/redis.sock" ping >/dev/null 2>&1; then
      echo "Redis listening on $REDIS_DIR/redis.sock"
      return
    fi
    sleep 0.1
  done
  echo "Redis did not start:" >&2
  cat "$REDIS_DIR/redis.log" >&2
  exit 1
}

case "${1:-}" in
  start)
    install_missing
    stop_servers
    start_postgres
    start_redis
    ;;
  stop)
    stop_servers
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
