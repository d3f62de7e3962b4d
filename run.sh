#!/usr/bin/env bash
# Set up and start the whole system on the embedded default:
# SQLite, a file-system Celery broker, web (gunicorn) + Celery worker + Celery beat.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh

PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
# the web, worker and beat processes (and load_demo, which issues documents) all derive
# DOCS_PUBLIC_BASE_URL, the address in the QR codes, from these (config/settings.py)
export HOST PORT
PY=.venv/bin/python

$PY manage.py migrate --noinput -v0
$PY manage.py load_demo
mkdir -p var/log

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO >var/log/beat.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn config.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 \
  --access-logfile var/log/access.log --error-logfile var/log/web.log &
pids+=($!)

sleep 2
echo
echo "  台州市职技融通改革工作平台 is running:  http://$HOST:$PORT/"
echo
echo "  Demo logins:"
$PY manage.py demo_accounts
echo
echo "  JSON list: .venv/bin/python manage.py demo_accounts --json    Logs: var/log/    Stop: Ctrl-C"
echo
wait -n "${pids[@]}"
