#!/usr/bin/env bash
# PostgreSQL for the store's integration tests (test/integration/store-postgres.test.ts).
#
# Sourced by .ci/run: `ci_postgres_start` installs the server with apt-get when it is missing (only
# as root), starts a throwaway cluster in a temp dir on 127.0.0.1 and a free port, creates a role
# (with CREATEDB: each test file creates its own database) and a database with a random password,
# exports HEADWAY_TEST_PG_URL, and stops the cluster and removes its directory on exit (trap). It
# never touches a cluster it did not start, and does nothing when HEADWAY_TEST_PG_URL is already set.
#
# Run directly (`bash scripts/ci-postgres.sh`) it starts the cluster, checks it answers, and stops it.

ci_pg_log() {
  if declare -F log >/dev/null; then log "$@"; else printf '[ci-postgres] %s\n' "$*"; fi
}

# The directory holding initdb, pg_ctl and postgres: Debian's newest versioned one, pg_config, PATH.
ci_pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r) \
    "$(pg_config --bindir 2>/dev/null)" "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a command as the cluster's owner: `postgres` when we are root (PostgreSQL refuses root).
ci_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ci_postgres_start() {
  if [ -n "${HEADWAY_TEST_PG_URL:-}" ]; then
    ci_pg_log "postgres: using HEADWAY_TEST_PG_URL from the environment"
    return 0
  fi

  local bin
  if ! bin=$(ci_pg_bindir); then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      ci_pg_log "installing postgresql with apt-get"
      (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql ||
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)) >/dev/null ||
        { ci_pg_log "apt-get install postgresql failed"; return 1; }
    fi
    bin=$(ci_pg_bindir) || { ci_pg_log "no PostgreSQL server binaries (initdb, pg_ctl, postgres)"; return 1; }
  fi

  local port password dir
  port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})") ||
    return 1
  password=$(node -p "require('crypto').randomBytes(16).toString('hex')") || return 1
  dir=$(mktemp -d "${TMPDIR:-/tmp}/headway-ci-pg.XXXXXX") || return 1
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir" || return 1; fi
  # Set before anything can fail, so the trap cleans up whatever was made.
  CI_PG_DIR="$dir"
  CI_PG_BIN="$bin"
  trap ci_postgres_stop EXIT

  ci_pg_log "postgres: starting a throwaway cluster on 127.0.0.1:$port ($("$bin/postgres" --version))"
  ci_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log"; return 1; }
  # -w waits until the server accepts connections; durability is off, the data is throwaway.
  ci_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log"; return 1; }
  "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE ROLE headway_ci LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE headway_ci OWNER headway_ci" >/dev/null || return 1

  export HEADWAY_TEST_PG_URL="postgres://headway_ci:$password@127.0.0.1:$port/headway_ci"
  # The check the tests depend on: a password login over TCP.
  PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U headway_ci -d headway_ci -qAt \
    -c 'SELECT 1' >/dev/null || { cat "$dir/server.log"; return 1; }
  ci_pg_log "postgres: ready, HEADWAY_TEST_PG_URL=postgres://headway_ci:***@127.0.0.1:$port/headway_ci"
}

ci_postgres_stop() {
  [ -n "${CI_PG_DIR:-}" ] || return 0
  # Silent when it works: this runs after .ci/run's summary, which must stay the last line.
  if [ -f "$CI_PG_DIR/data/postmaster.pid" ]; then
    ci_pg_as_owner "$CI_PG_BIN/pg_ctl" -D "$CI_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
      echo "[ci-postgres] could not stop the cluster in $CI_PG_DIR" >&2
  fi
  rm -rf "$CI_PG_DIR"
  unset CI_PG_DIR HEADWAY_TEST_PG_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  ci_postgres_start || { ci_pg_log "FAILED"; exit 1; }
  PGCONNECT_TIMEOUT=5 "$CI_PG_BIN/psql" "$HEADWAY_TEST_PG_URL" -qAt -c 'SELECT version()'
fi
