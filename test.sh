#!/usr/bin/env bash
# Run the whole test suite and the linters.
#   1. ruff (lint + format check) and the import contracts (lint-imports)
#   2. the suite on SQLite (everything not marked `services`)
#   3. the suite on PostgreSQL + Redis (everything, including real threads,
#      row locks and Celery workers) when 127.0.0.1:5432 and :6379 answer;
#      otherwise reported as NOT RUN with the reason (an error when REQUIRE_SERVICES=1).
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

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== import contracts (pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports --no-cache

echo "== pytest on SQLite"
$PY -m pytest -p no:cacheprovider -n "$workers" -m "not services" "$@"

PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/zhiji}
REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
reason=$($PY - "$PG_URL" "$REDIS_URL" <<'PYEOF'
import sys
try:
    import psycopg
    psycopg.connect(sys.argv[1].replace("/zhiji", "/postgres"), connect_timeout=3).close()
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
  $PY -m pytest -p no:cacheprovider -n "$workers" "$@"
