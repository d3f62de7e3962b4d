"""Rendering through real Celery workers on Redis (PostgreSQL): the same task queued
twice, picked up by two workers at once, yields one file and one number."""

import os
import signal
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


def start_worker_process(
    media_root, log: Path, *, name: str, queue: str, app: str = "config", env: dict | None = None
) -> subprocess.Popen:
    """A real ``celery worker`` (prefork, one pool process) on this test's database and
    media folder, consuming ``queue``, in a process group of its own so that a test can
    kill the whole worker (main process and pool) at once."""
    db = connection.settings_dict
    full_env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "APP_MEDIA_ROOT": str(media_root),
        **(env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def workers(settings, tmp_path, queue):
    procs = [
        start_worker_process(
            settings.MEDIA_ROOT, tmp_path / f"worker{k}.log", name=f"test{k}", queue=queue
        )
        for k in (1, 2)
    ]
    yield [tmp_path / f"worker{k}.log" for k in (1, 2)]
    for p in procs:
        stop_worker_process(p)


def test_a_task_queued_twice_renders_once(
    world_tx, settings, monkeypatch, tasks_to_the_broker, workers, queue
):
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
    # the second task finishes too: both messages acknowledged (acks_late: after the task)
    assert _wait_for(lambda: _drained(queue), 30), "the second render task did not finish"
    document.refresh_from_db()
    logs = "\n".join(log.read_text()[-2000:] for log in workers)
    assert document.render_status == RenderStatus.DONE, (document.render_error, logs)
    assert document.render_attempts == 1
    files = list((Path(settings.MEDIA_ROOT) / "docs").rglob("*.pdf"))
    assert len(files) == 1
    assert NumberCounter.objects.get().last == 1
    assert OfficialDocument.objects.count() == 1


# --- a worker killed mid-render ------------------------------------------------------------
def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _process_gone(pid: int) -> bool:
    """Dead, or a zombie waiting to be reaped (it runs nothing any more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _row_unlocked(pk: int) -> bool:
    """PostgreSQL has noticed the killed worker's connection and rolled back its
    transaction: the document's row can be locked again."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            OfficialDocument.objects.select_for_update(nowait=True).get(pk=pk)
        return True
    except DatabaseError:
        return False


def _unacked(queue: str, *, remove: bool = False) -> int:
    """Messages of ``queue`` that Redis holds as delivered but not acknowledged (given to
    another worker only after the visibility timeout). ``remove`` drops them, so that this
    test's message is not handed to some later worker."""
    import json

    from config.celery import app

    count = 0
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            _message, _exchange, routing_key = json.loads(payload)
            if routing_key != queue:
                continue
            count += 1
            if remove:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)
        if remove:
            client.delete(queue)
    return count


def _drained(queue: str) -> bool:
    """Nothing of ``queue`` waits in Redis or is held by a worker unacknowledged."""
    from config.celery import app

    with app.connection_for_write() as conn:
        waiting = conn.default_channel.client.llen(queue)
    return waiting == 0 and _unacked(queue) == 0


@pytest.mark.parametrize("where", ["before_pdf", "after_file"])
def test_a_worker_killed_mid_render_is_recovered_by_the_sweep(
    world_tx, settings, monkeypatch, tasks_to_the_broker, tmp_path, queue, where
):
    """kill -9 of the whole worker (main process and pool) while it renders, a new worker,
    the stuck-document sweep: the document is issued exactly once, long before the broker
    would hand the lost message to another worker."""
    from django.db import transaction

    from config.celery import app
    from docs_gen.selectors import render_is_stuck
    from docs_gen.tasks import requeue_stuck_renders
    from workflows.models import AuditEntry

    # every render, the first and the re-queued one, goes to this test's own queue
    monkeypatch.setattr(
        services,
        "_queue_render",
        lambda d: transaction.on_commit(
            lambda: render_document.apply_async(args=[d.pk], queue=queue)
        ),
    )
    settings.DOCS_RENDER_STUCK_SECONDS = 5
    ensure_issuers()
    marker = tmp_path / "rendering.pid"
    slow_log, fresh_log = tmp_path / "slow.log", tmp_path / "fresh.log"
    logs = lambda: "\n".join(p.read_text()[-3000:] for p in (slow_log, fresh_log) if p.exists())  # noqa: E731
    slow = start_worker_process(
        settings.MEDIA_ROOT,
        slow_log,
        name="slow",
        queue=queue,
        app="tests.docs_gen.slow_render_worker",
        env={
            "SLOW_RENDER_MARKER": str(marker),
            "SLOW_RENDER_AT": where,
            "SLOW_RENDER_SECONDS": "300",
        },
    )
    try:
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
        assert _wait_for(marker.exists, 90), logs()
        pool_pid = int(marker.read_text())
        assert pool_pid != slow.pid  # the render runs in a pool process, a child
        os.killpg(slow.pid, signal.SIGKILL)  # the whole worker: main process and pool
        killed_at = time.monotonic()
        slow.wait(timeout=10)
        assert _wait_for(lambda: _process_gone(pool_pid), 10)
    finally:
        stop_worker_process(slow)
    try:
        document.refresh_from_db()
        assert document.render_status == RenderStatus.QUEUED and not document.pdf
        # the message sits in Redis's unacknowledged set until the visibility timeout
        assert _unacked(queue) == 1
        assert _wait_for(lambda: _row_unlocked(document.pk), 30)

        fresh = start_worker_process(settings.MEDIA_ROOT, fresh_log, name="fresh", queue=queue)
        try:
            assert _wait_for(
                lambda: render_is_stuck(OfficialDocument.objects.get(pk=document.pk)), 30
            )
            # what beat runs every minute
            assert requeue_stuck_renders.apply().result == 1
            assert _wait_for(
                lambda: (
                    OfficialDocument.objects.get(pk=document.pk).render_status
                    != RenderStatus.QUEUED
                ),
                90,
            ), logs()
            recovered_after = time.monotonic() - killed_at
        finally:
            stop_worker_process(fresh)

        document.refresh_from_db()
        assert document.render_status == RenderStatus.DONE, (document.render_error, logs())
        # within the threshold (plus a worker's start-up and one render), not the broker's
        # visibility timeout, let alone kombu's default hour
        assert recovered_after < settings.DOCS_RENDER_STUCK_SECONDS + 60
        assert recovered_after < app.conf.broker_transport_options["visibility_timeout"]
        # exactly once: one number, one stored file, one `rendered` row
        assert NumberCounter.objects.get().last == 1
        assert document.serial == 1 and document.number.endswith(f"〔{document.year}〕1号")
        files = list((Path(settings.MEDIA_ROOT) / "docs").rglob("*"))
        files = [f for f in files if f.is_file()]
        assert [f.name for f in files] == [Path(document.pdf.name).name], files
        assert document.render_attempts == 1
        actions = list(AuditEntry.objects.for_object(document).values_list("action", flat=True))
        assert actions.count("docs.issue") == 1
        assert actions.count("docs.rendered") == 1
        assert actions.count("docs.render_requeued") == 1
        # a later sweep finds nothing
        assert services.documents_requeue_stuck() == []
    finally:
        _unacked(queue, remove=True)
