#!/usr/bin/env bash
# Make sure PostgreSQL, RabbitMQ and Redis answer on 127.0.0.1; start them when they are
# installed but stopped; fail with a clear message when they are missing.
set -u

up() { # host port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_up() { # name port seconds
  for _ in $(seq 1 "$3"); do up "$2" && return 0; sleep 1; done
  return 1
}

fail() { echo "ensure-infra: $*" >&2; exit 1; }

# PostgreSQL
if ! up 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "ensure-infra: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_up postgresql 5432 30 || fail "PostgreSQL is installed but did not start on 127.0.0.1:5432"
  else
    fail "PostgreSQL is not installed (Debian: apt-get install postgresql) and nothing listens on 127.0.0.1:5432"
  fi
fi

# RabbitMQ
if ! up 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "ensure-infra: starting RabbitMQ"
    rabbitmq-server -detached || true
    wait_up rabbitmq 5672 90 || fail "RabbitMQ is installed but did not start on 127.0.0.1:5672"
  else
    fail "RabbitMQ is not installed (Debian: apt-get install rabbitmq-server) and nothing listens on 127.0.0.1:5672"
  fi
fi

# Redis (the gateway's shared rate limits)
if ! up 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "ensure-infra: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
    wait_up redis 6379 15 || fail "Redis is installed but did not start on 127.0.0.1:6379"
  else
    fail "Redis is not installed (Debian: apt-get install redis-server) and nothing listens on 127.0.0.1:6379"
  fi
fi
echo "ensure-infra: PostgreSQL, RabbitMQ and Redis are up"
