#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth and a `test` database,
# for the PostgreSQL runs of the storage contract tests (tests/conftest.py `pg_url`).
#
# Idempotent. When a server already answers, nothing is changed except creating a missing `test`
# database. Otherwise: install PostgreSQL with apt-get (Debian 12 ships version 15), create a cluster
# if there is none, make local and 127.0.0.1 logins trust, start it with pg_ctlcluster as the
# postgres user (the server refuses to run as root), create the `test` database and a `root` role.
# Everything it does is reported on stderr.
#
# Environment: TSUNAGU_PG_PORT (5432), TSUNAGU_PG_DB (test).
# shellcheck disable=SC2012  # listing /usr/lib/postgresql: version folders are plain numbers
set -euo pipefail

HOST=127.0.0.1
PORT="${TSUNAGU_PG_PORT:-5432}"
DB="${TSUNAGU_PG_DB:-test}"
SUPERUSER=postgres
MARK="# tsunagu .ci/postgres.sh: trust for local test runs"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres "$@"
    fi
}

sql() {  # sql DATABASE QUERY: run as the superuser over TCP, print unaligned rows
    psql -h "$HOST" -p "$PORT" -U "$SUPERUSER" -d "$1" -v ON_ERROR_STOP=1 -Atqc "$2"
}

answers() {
    command -v psql >/dev/null 2>&1 && sql postgres 'select 1' >/dev/null 2>&1
}

ensure_database() {
    if [ "$(sql postgres "select 1 from pg_database where datname = '$DB'")" = 1 ]; then
        log "database '$DB' exists"
    else
        sql postgres "create database \"$DB\"" >/dev/null
        log "created database '$DB'"
    fi
}

ensure_root_role() {
    if [ "$(sql postgres "select 1 from pg_roles where rolname = 'root'")" != 1 ]; then
        sql postgres 'create role root superuser login' >/dev/null
        log "created superuser role 'root'"
    fi
}

wait_until_answers() {
    for _ in $(seq 1 30); do
        answers && return 0
        sleep 1
    done
    return 1
}

# -- 1. a server already answers: leave it alone -------------------------------------------------
if answers; then
    log "a PostgreSQL server answers on $HOST:$PORT (trust login as $SUPERUSER); not touching it"
    ensure_database
    exit 0
fi
log "no PostgreSQL server answers on $HOST:$PORT with a trust login; setting one up"

# -- 2. install -----------------------------------------------------------------------------------
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    log "installing postgresql with apt-get"
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    log "installed: $(ls /usr/lib/postgresql | tr '\n' ' ')"
else
    log "postgresql is installed: $(ls /usr/lib/postgresql | tr '\n' ' ')"
fi
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
[ "$VERSION" = 15 ] || log "note: found PostgreSQL $VERSION (the project targets 15)"

# -- 3. cluster -----------------------------------------------------------------------------------
cluster_field() {  # cluster_field N: column N of `pg_lsclusters` for VERSION/main (empty if none)
    pg_lsclusters -h | awk -v v="$VERSION" -v n="$1" '$1 == v && $2 == "main" {print $n}'
}
if [ -z "$(cluster_field 1)" ]; then
    as_root pg_createcluster "$VERSION" main --port "$PORT" >&2
    log "created cluster $VERSION/main on port $PORT"
fi
CLUSTER_PORT="$(cluster_field 3)"
[ "$CLUSTER_PORT" = "$PORT" ] || die "cluster $VERSION/main listens on port $CLUSTER_PORT, not $PORT"

# -- 4. trust authentication for local and loopback logins ----------------------------------------
HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"
if ! as_root grep -qF "$MARK" "$HBA"; then
    tmp="$(mktemp)"
    {
        echo "$MARK"
        echo "local   all all              trust"
        echo "host    all all 127.0.0.1/32 trust"
        echo "host    all all ::1/128      trust"
        echo
        as_root cat "$HBA"
    } >"$tmp"
    as_root install -o postgres -g postgres -m 640 "$tmp" "$HBA"
    rm -f "$tmp"
    log "set trust authentication for local and 127.0.0.1 logins in $HBA"
fi

# -- 5. start (or reload the new pg_hba.conf) -----------------------------------------------------
STATUS="$(cluster_field 4)"
if [ "$STATUS" = online ]; then
    as_postgres pg_ctlcluster "$VERSION" main reload
    log "reloaded running cluster $VERSION/main"
else
    as_postgres pg_ctlcluster "$VERSION" main start
    log "started cluster $VERSION/main as the postgres user"
fi
wait_until_answers || die "the server does not answer on $HOST:$PORT; see /var/log/postgresql/"

# -- 6. database and role -------------------------------------------------------------------------
ensure_database
ensure_root_role
log "ready: postgresql://$SUPERUSER@$HOST:$PORT/$DB"
