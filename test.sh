#!/usr/bin/env bash
# Run the whole test suite and the linters.
#   1. ruff (lint + format check) and the import contracts (lint-imports)
#   2. the suite on SQLite: everything not marked `services`
#   3. the suite on PostgreSQL + Redis: everything not marked `once` (real threads, row
#      locks and Celery workers included) when 127.0.0.1:5432 and :6379 answer;
#      otherwise reported as NOT RUN with the reason (an error when REQUIRE_SERVICES=1).
# What runs where (tests/conftest.py, ONCE_MODULES): a test whose assertions cannot depend
# on the database engine is marked `once` and runs in the SQLite pass only: every test that
# asks for no database (pure functions, PDF layout, settings, static files, setup.sh), the
# browser tests (tests/e2e), the catalogue tests and the demo loaders' (the production smoke
# test loads the whole demo on PostgreSQL). Everything else that goes through the
# database (ORM, locks, triggers, migrations, raw SQL, the fuzz) runs in both passes, and
# `services` on PostgreSQL only; no test is left out of both.
# Each pass prints its 10 slowest tests and its time (wall, and CPU where /usr/bin/time is).
# Extra arguments go to pytest (e.g. ./test.sh -k registry).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh

PY=.venv/bin/python
export CELERY_TASK_ALWAYS_EAGER=true DJANGO_DEBUG=true
unset DATABASE_URL CELERY_BROKER_URL
export APP_VAR_DIR=${APP_VAR_DIR:-$(mktemp -d /tmp/zhiji-test.XXXXXX)}
# the GB 2312 font cuts setup.sh built once (otherwise every test process rebuilds them)
export DOCS_FONT_CACHE=${DOCS_FONT_CACHE:-$PWD/var/fonts}
workers=${TEST_WORKERS:-2}
# compiled modules kept between runs, out of the source tree (PYTHONDONTWRITEBYTECODE makes
# every process compile the project and pytest rewrite every test module again: ~4 s CPU each)
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$PWD/var/pycache}

# run_pass NAME CMD...: runs CMD and prints how long it took
run_pass() {
  local name=$1 start=$SECONDS rc=0
  shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "== $name: CPU %U s user + %S s system, %e s wall" "$@" || rc=$?
  else
    "$@" || rc=$?
  fi
  echo "== $name: $((SECONDS - start)) s"
  return $rc
}

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== import contracts (pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports --no-cache

echo "== pytest on SQLite"
run_pass "SQLite pass" \
  $PY -m pytest -p no:cacheprovider -n "$workers" --dist worksteal -m "not services" --durations=10 "$@"

PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/zhiji}
REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
reason=$($PY - "$PG_URL" "$REDIS_URL" <<'PYEOF'
import sys
try:
    import psycopg
    # the server's maintenance database: the test database is created from there
    base = sys.argv[1].split("?", 1)[0].rsplit("/", 1)[0]
    psycopg.connect(f"{base}/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}".splitlines()[0]); sys.exit()
try:
    import redis
    redis.Redis.from_url(sys.argv[2], socket_connect_timeout=3).ping()
except Exception as exc:
    print(f"Redis not reachable at {sys.argv[2]}: {exc}".splitlines()[0])
PYEOF
)
if [ -n "$reason" ]; then
  echo "== PostgreSQL + Redis suite: NOT RUN — $reason"
  if [ "${REQUIRE_SERVICES:-0}" = "1" ]; then exit 1; fi
  exit 0
fi
echo "== pytest on PostgreSQL + Redis"
DATABASE_URL=$PG_URL CELERY_BROKER_URL=$REDIS_URL TEST_REDIS_URL=$REDIS_URL \
  run_pass "PostgreSQL + Redis pass" \
  $PY -m pytest -p no:cacheprovider -n "$workers" --dist worksteal -m "not once" --durations=10 "$@"
