"""Rendering through real Celery workers on Redis (PostgreSQL): the same task queued
twice, picked up by two workers at once, yields one file and one number."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from docs_gen import services
from docs_gen.demo import ensure_issuers
from docs_gen.models import NumberCounter, OfficialDocument, RenderStatus
from docs_gen.tasks import render_document
from tests.docs_gen.conftest import BODY

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue():
    """A queue of this test's own, so that no other worker or stale message is involved."""
    return f"render-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def workers(settings, tmp_path, queue):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "APP_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                "--loglevel=WARNING",
                "-n",
                f"test{k}@%h",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                queue,
            ],
            cwd=ROOT,
            env=env,
            stdout=(tmp_path / f"worker{k}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for k in (1, 2)
    ]
    yield [tmp_path / f"worker{k}.log" for k in (1, 2)]
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)


def test_a_task_queued_twice_renders_once(world_tx, settings, monkeypatch, workers, queue):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(services, "_queue_render", lambda document: None)
    ensure_issuers()
    leader = world_tx.edu_leader
    document = services.document_issue_for_decision(
        issuer=world_tx.edu,
        kind="notice",
        title="通知",
        addressees=["各校"],
        body=BODY,
        actor=leader,
        signer=leader,
    )
    render_document.apply_async(args=[document.pk], queue=queue)
    render_document.apply_async(args=[document.pk], queue=queue)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.QUEUED  # the workers do it, not this process
    deadline = time.time() + 90
    while time.time() < deadline:
        document.refresh_from_db()
        if document.render_status != RenderStatus.QUEUED:
            break
        time.sleep(0.3)
    time.sleep(3)  # let the second task finish too
    document.refresh_from_db()
    logs = "\n".join(log.read_text()[-2000:] for log in workers)
    assert document.render_status == RenderStatus.DONE, (document.render_error, logs)
    assert document.render_attempts == 1
    files = list((Path(settings.MEDIA_ROOT) / "docs").rglob("*.pdf"))
    assert len(files) == 1
    assert NumberCounter.objects.get().last == 1
    assert OfficialDocument.objects.count() == 1
