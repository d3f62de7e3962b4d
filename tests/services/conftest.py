"""Fixtures for tests against real PostgreSQL + Redis + Celery workers."""

import pytest


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    """A real Celery worker (threads) consuming from Redis, for the duration of a test."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    if not str(app.conf.broker_url).startswith("redis://"):
        pytest.fail("CELERY_BROKER_URL must point at Redis: run through ./test.sh")
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # messages left by an earlier run belong to another database
    try:
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
        ):
            yield app
    finally:
        app.conf.task_always_eager = saved
