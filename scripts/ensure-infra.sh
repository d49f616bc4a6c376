#!/usr/bin/env bash
# Make sure PostgreSQL, RabbitMQ and Redis answer on 127.0.0.1. Run as root on Debian, it installs the
# missing ones from Debian's packages (as ensure-browser.sh does for Chromium), lets 127.0.0.1 reach a
# freshly installed PostgreSQL as user postgres without a password (as the tests connect), and starts
# what is stopped. Otherwise it prints the exact commands to run and fails.
#
# ENSURE_INFRA_DRY_RUN=1 prints each action instead of running it (tests/test_ensure_infra.py uses it,
# with the ENSURE_INFRA_*_PORT and ENSURE_INFRA_PG_* locations below pointed elsewhere).
set -u

DRY_RUN=${ENSURE_INFRA_DRY_RUN:-0}
PG_PORT=${ENSURE_INFRA_POSTGRES_PORT:-5432}
AMQP_PORT=${ENSURE_INFRA_RABBITMQ_PORT:-5672}
REDIS_PORT=${ENSURE_INFRA_REDIS_PORT:-6379}
PG_ETC=${ENSURE_INFRA_PG_ETC:-/etc/postgresql}      # Debian's cluster configurations
PG_LIB=${ENSURE_INFRA_PG_LIB:-/usr/lib/postgresql}  # Debian's server versions

say() { echo "ensure-infra: $*"; }
fail() { echo "ensure-infra: $*" >&2; exit 1; }

up() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_up() { # port seconds
  [ "$DRY_RUN" = 1 ] && { say "would wait for 127.0.0.1:$1"; return 0; }
  for _ in $(seq 1 "$2"); do up "$1" && return 0; sleep 1; done
  return 1
}

run() { # command...: run it, or only print it in a dry run
  if [ "$DRY_RUN" = 1 ]; then say "would run: $*"; else "$@"; fi
}

run_quietly() { # command...: as run, without its output
  if [ "$DRY_RUN" = 1 ]; then say "would run: $*"; else "$@" >/dev/null; fi
}

is_root() { [ "$(id -u)" = 0 ]; }

pg_version() { # the newest PostgreSQL server Debian installed, if any
  ls "$PG_LIB" 2>/dev/null | sort -V | tail -n1
}

pg_cluster() { # "<version> <name>" of the first cluster configured, if any
  local conf
  for conf in "$PG_ETC"/*/*/postgresql.conf; do
    [ -f "$conf" ] || continue
    conf=${conf%/postgresql.conf}
    echo "$(basename "$(dirname "$conf")") $(basename "$conf")"
    return 0
  done
  return 1
}

pg_installed() { command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_version)" ]; }
rabbitmq_installed() { command -v rabbitmq-server >/dev/null 2>&1; }
redis_installed() { command -v redis-server >/dev/null 2>&1; }

# What is missing: down on its port and not installed.
missing=() names=()
if ! up "$PG_PORT" && ! pg_installed; then missing+=(postgresql); names+=(PostgreSQL); fi
if ! up "$AMQP_PORT" && ! rabbitmq_installed; then missing+=(rabbitmq-server); names+=(RabbitMQ); fi
if ! up "$REDIS_PORT" && ! redis_installed; then missing+=(redis-server); names+=(Redis); fi

fresh_postgresql=0
if [ ${#missing[@]} -gt 0 ]; then
  listing=$(IFS=,; echo "${names[*]}" | sed 's/,/, /g')
  if ! is_root; then
    {
      echo "ensure-infra: not installed, and nothing listens on its port: $listing. Run:"
      echo "  sudo scripts/ensure-infra.sh"
      echo "It runs apt-get install -y ${missing[*]} and starts them (a new PostgreSQL lets 127.0.0.1 connect"
      echo "as postgres without a password, as the tests do); then run make again."
    } >&2
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 \
    || fail "not installed: $listing; this is not Debian (no apt-get): install ${missing[*]} and start them on 127.0.0.1"
  say "installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -qq || fail "apt-get update failed"
  run apt-get install -y -qq "${missing[@]}" || fail "apt-get could not install ${missing[*]}"
  [[ " ${missing[*]} " == *" postgresql "* ]] && fresh_postgresql=1
fi

# PostgreSQL (a new one may have been started by its package already: it is configured all the same)
if [ "$fresh_postgresql" = 1 ] || ! up "$PG_PORT"; then
  if ! cluster=$(pg_cluster); then  # the package makes "main" unless told not to; make it if it did not
    version=$(pg_version)
    cluster="${version:-<version>} main"
    is_root || fail "PostgreSQL ${version} has no cluster. Run: sudo pg_createcluster $cluster && sudo scripts/ensure-infra.sh"
    say "creating the PostgreSQL cluster $cluster"
    run pg_createcluster $cluster || fail "pg_createcluster $cluster failed"
  fi
  if [ "$fresh_postgresql" = 1 ]; then
    # The tests and `make run` connect over TCP as postgres without a password; the first matching line wins.
    hba="$PG_ETC/${cluster% *}/${cluster#* }/pg_hba.conf"
    say "letting 127.0.0.1 connect to the new PostgreSQL without a password ($hba)"
    if [ "$DRY_RUN" = 1 ]; then
      say "would put first in $hba: host all all 127.0.0.1/32 trust, host all all ::1/128 trust"
    elif ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
      sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba" || fail "could not edit $hba"
    fi
    up "$PG_PORT" && { run pg_ctlcluster --skip-systemctl-redirect $cluster reload || fail "could not reload PostgreSQL $cluster"; }
  fi
  if ! up "$PG_PORT"; then
    is_root || fail "PostgreSQL $cluster is installed but stopped. Run: sudo pg_ctlcluster --skip-systemctl-redirect $cluster start"
    say "starting PostgreSQL $cluster"
    run pg_ctlcluster --skip-systemctl-redirect $cluster start || true
    wait_up "$PG_PORT" 30 || fail "PostgreSQL $cluster did not start on 127.0.0.1:$PG_PORT (see /var/log/postgresql)"
  fi
fi

# RabbitMQ
if ! up "$AMQP_PORT"; then
  is_root || fail "RabbitMQ is installed but stopped. Run: sudo rabbitmq-server -detached"
  say "starting RabbitMQ"
  run rabbitmq-server -detached || true
  wait_up "$AMQP_PORT" 90 || fail "RabbitMQ did not start on 127.0.0.1:$AMQP_PORT (see /var/log/rabbitmq)"
fi

# Redis (the gateway's shared rate limits): any user may start one that keeps nothing on disk.
if ! up "$REDIS_PORT"; then
  say "starting Redis"
  run_quietly redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no || true
  wait_up "$REDIS_PORT" 15 || fail "Redis did not start on 127.0.0.1:$REDIS_PORT"
fi
say "PostgreSQL, RabbitMQ and Redis are up"
