"""Renders whose worker died: which documents count as stuck, the sweep that re-queues
them, the staff retry, and the broker setting that bounds how long a lost message waits.
(The real kill -9 of a worker on Redis is in test_worker.py.)"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from config.celery import app
from docs_gen import services
from docs_gen.models import DocumentStatus, NumberCounter, OfficialDocument, RenderStatus
from docs_gen.selectors import render_is_stuck, stuck_renders
from docs_gen.tasks import requeue_stuck_renders
from tests.docs_gen.conftest import BODY
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks, settings):
    global _commit
    _commit = django_capture_on_commit_callbacks
    settings.DOCS_RENDER_STUCK_SECONDS = 300


def _issue(world, title="台州市教育局关于试点工作的通知"):
    """Issued and queued; its render task is never run (no commit in this test), as if
    the worker that took it had died."""
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title=title,
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )


def _queued_since(document, seconds):
    OfficialDocument.objects.filter(pk=document.pk).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )
    document.refresh_from_db()
    return document


def _actions(document):
    return list(AuditEntry.objects.for_object(document).values_list("action", flat=True))


def test_only_issued_documents_queued_past_the_threshold_are_stuck(world, issuers, settings):
    stuck = _queued_since(_issue(world, "卡住的"), 301)
    fresh = _queued_since(_issue(world, "刚排队的"), 60)
    with _commit(execute=True):
        done = _issue(world, "已生成的")
    done = _queued_since(done, 3600)
    failed = _queued_since(_issue(world, "失败的"), 3600)
    OfficialDocument.objects.filter(pk=failed.pk).update(render_status=RenderStatus.FAILED)
    revoked = _queued_since(_issue(world, "已作废未生成的"), 3600)
    OfficialDocument.objects.filter(pk=revoked.pk).update(status=DocumentStatus.REVOKED)
    draft = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="草稿",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    _queued_since(draft, 3600)

    assert done.render_status == RenderStatus.DONE
    assert set(stuck_renders().values_list("pk", flat=True)) == {stuck.pk, revoked.pk}
    assert render_is_stuck(stuck) and not render_is_stuck(fresh) and not render_is_stuck(done)
    # the threshold is the setting
    settings.DOCS_RENDER_STUCK_SECONDS = 30
    assert fresh.pk in set(stuck_renders().values_list("pk", flat=True))


def test_the_sweep_requeues_a_stuck_document_and_renders_it_once(world, issuers):
    stuck = _queued_since(_issue(world, "卡住的"), 400)
    fresh = _queued_since(_issue(world, "刚排队的"), 10)
    number = stuck.number
    with _commit(execute=True):
        assert requeue_stuck_renders.apply().result == 1  # what beat runs every minute
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.render_status == RenderStatus.DONE and stuck.pdf and stuck.number == number
    assert fresh.render_status == RenderStatus.QUEUED  # still within its time: left alone
    assert _actions(stuck).count("docs.render_requeued") == 1
    assert _actions(stuck).count("docs.rendered") == 1
    assert _actions(fresh).count("docs.render_requeued") == 0
    # nothing left to do: running it again changes nothing
    with _commit(execute=True):
        assert services.documents_requeue_stuck() == []
    assert _actions(stuck).count("docs.rendered") == 1
    assert NumberCounter.objects.get().last == 2  # two documents, two numbers, no more


def test_a_requeued_document_waits_another_threshold(world, issuers):
    stuck = _queued_since(_issue(world), 400)
    assert services.documents_requeue_stuck() == [stuck.pk]  # its task is lost again
    stuck.refresh_from_db()
    assert not render_is_stuck(stuck)
    assert services.documents_requeue_stuck() == []
    _queued_since(stuck, 301)
    assert services.documents_requeue_stuck() == [stuck.pk]


def test_a_render_killed_after_writing_its_file_leaves_one_file(world, issuers, settings):
    """The killed render wrote <public_id>.pdf, its transaction was rolled back: the next
    render replaces that file instead of storing a second one beside it."""
    document = _issue(world)
    path = document.pdf.field.generate_filename(document, f"{document.public_id}.pdf")
    orphan = Path(settings.MEDIA_ROOT) / path
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.7 half written")
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.pdf.name == path
    files = [f for f in (Path(settings.MEDIA_ROOT) / "docs").rglob("*") if f.is_file()]
    assert files == [orphan]
    assert orphan.read_bytes().startswith(b"%PDF") and len(orphan.read_bytes()) > 1000


def test_staff_retry_a_stuck_document_from_its_page(world, issuers, login):
    document = _queued_since(_issue(world), 400)
    url = f"/docs/{document.public_id}/"
    page = login(world.edu_handler).get(url)
    assert "重新生成 PDF" in page.content.decode()
    assert "PDF 排队已超时" in page.content.decode()
    with _commit(execute=True):
        response = login(world.edu_handler).post(f"{url}retry/")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.render_status == RenderStatus.DONE
    assert _actions(document).count("docs.render_retry") == 1
    assert _actions(document).count("docs.rendered") == 1


def test_a_fresh_queued_document_offers_no_retry_and_refuses_one(world, issuers, login):
    document = _queued_since(_issue(world), 30)
    url = f"/docs/{document.public_id}/"
    page = login(world.edu_handler).get(url).content.decode()
    assert "重新生成 PDF" not in page.split("办理记录")[0]
    response = login(world.edu_handler).post(f"{url}retry/")
    assert response.status_code == 409
    assert "正在生成" in response.content.decode()
    document.refresh_from_db()
    assert document.render_status == RenderStatus.QUEUED
    assert "docs.render_retry" not in _actions(document)


def test_retrying_a_stuck_document_takes_the_same_permissions_as_retry(world, issuers, login):
    document = _queued_since(_issue(world), 400)
    url = f"/docs/{document.public_id}/"
    # a bureau that did not issue it may read it, but not retry it
    page = login(world.hrss_handler).get(url).content.decode()
    assert "重新生成 PDF" not in page.split("办理记录")[0]
    response = login(world.hrss_handler).post(f"{url}retry/", follow=True)
    assert "只有" in response.content.decode()
    # a school does not even see it
    assert login(world.school_handler).post(f"{url}retry/").status_code == 404
    document.refresh_from_db()
    assert document.render_status == RenderStatus.QUEUED
    assert "docs.render_retry" not in _actions(document)


def test_the_sweep_is_on_the_beat_schedule():
    entries = list(django_settings.CELERY_BEAT_SCHEDULE.values())
    names = [e["task"] for e in entries]
    assert "docs_gen.tasks.requeue_stuck_renders" in names
    assert "docs_gen.tasks.requeue_stuck_renders" in app.tasks
    [entry] = [e for e in entries if e["task"] == "docs_gen.tasks.requeue_stuck_renders"]
    assert entry["schedule"] <= 60


def _setting(expr, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DOCS_RENDER_"))
    }
    full_env.pop("DATABASE_URL", None)
    full_env.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({expr})"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_redis_visibility_timeout_is_set_deliberately():
    result = _setting(
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS", CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert result.stdout.strip() == "{'visibility_timeout': 300}", result.stderr
    result = _setting(
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_VISIBILITY_TIMEOUT="600",
    )
    assert result.stdout.strip() == "{'visibility_timeout': 600}", result.stderr
    result = _setting(
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_VISIBILITY_TIMEOUT="5",
    )
    assert result.returncode != 0 and "CELERY_BROKER_VISIBILITY_TIMEOUT" in result.stderr


def test_the_stuck_threshold_comes_from_the_environment():
    assert _setting("settings.DOCS_RENDER_STUCK_SECONDS").stdout.strip() == "300"
    result = _setting("settings.DOCS_RENDER_STUCK_SECONDS", DOCS_RENDER_STUCK_SECONDS="120")
    assert result.stdout.strip() == "120", result.stderr
    result = _setting("settings.DOCS_RENDER_STUCK_SECONDS", DOCS_RENDER_STUCK_SECONDS="soon")
    assert result.returncode != 0 and "DOCS_RENDER_STUCK_SECONDS" in result.stderr
