"""A backup restores the whole system (PostgreSQL), once per storage: documents are issued
and revoked, files uploaded, `manage.py backup` runs; `manage.py restore` brings it into a
new database and an empty media folder; there every document verifies on /verify/, every
file downloads with its SHA-256, every audit row and number counter is back, the guards are
in place, and the next document takes the next number."""

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from approvals.common.models import Attachment
from docs_gen import services as docs_services
from docs_gen.demo import ensure_issuers
from docs_gen.models import NumberCounter, OfficialDocument
from tasks_registry.models import ReportAttachment
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.approvals.conftest import PDF, draft
from tests.attachment_samples import good_png
from tests.docs_gen.conftest import BODY
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.backup import MANIFEST
from workflows.models import AuditEntry, Unit
from workflows.storage import file_sha256, storage_of_kind
from workflows.tasks import backup_nightly

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
STORAGE = {
    "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "database": {"BACKEND": "workflows.storage.DatabaseStorage"},
}


@pytest.fixture(params=sorted(STORAGE))
def kind(request, settings):
    settings.STORAGES = {**settings.STORAGES, "default": STORAGE[request.param]}
    return request.param


@pytest.fixture
def restore_database(kind):
    """A new, empty database beside the test's: <DATABASE_URL's name>_restore_<kind>."""
    import psycopg
    from psycopg import sql

    db = connection.settings_dict
    base = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") or "zhiji"
    suffix = (
        f"_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
    )
    name = f"{base}_restore_{kind}{suffix}"
    server = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"

    def recreate(drop_only=False):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            if not drop_only:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    recreate()
    yield f"{server}/{name}"
    recreate(drop_only=True)


def _issue(world, title):
    document = docs_services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title=title,
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    docs_services.document_render(document_id=document.pk)  # (done already when eager)
    document.refresh_from_db()
    return document


def _work(world):
    """Three issued notices (one revoked), an application with two files, a progress
    report with one."""
    ensure_issuers()
    documents = [_issue(world, f"台州市教育局关于试点工作的第{n}号通知") for n in (1, 2, 3)]
    docs_services.document_revoke(document=documents[1], actor=world.edu_leader, reason="内容有误")
    draft(
        world,
        uploads=[
            SimpleUploadedFile("申请报告.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("照片.png", good_png(), "image/png"),
        ],
    )
    branch = branch_acknowledge(
        branch=branch_of(dispatch(world, 15), world.school), actor=world.school_handler
    )
    progress_report_submit(
        branch=branch,
        actor=world.school_handler,
        text="完成调研，附材料",
        percent=40,
        files=[SimpleUploadedFile("调研.pdf", PDF, "application/pdf")],
    )


def _manage(*args, env):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (
        f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    return result.stdout


def test_a_backup_restores_into_a_new_database_and_everything_still_checks_out(
    world_tx, kind, restore_database, tmp_path, settings
):
    world = world_tx
    _work(world)
    storage = storage_of_kind(kind)
    before = {
        "documents": {
            str(d.public_id): (d.number, d.status, d.sha256)
            for d in OfficialDocument.objects.exclude(verification_code=None)
        },
        "attachments": {str(a.public_id): a.sha256 for a in Attachment.objects.all()},
        "reports": {str(a.public_id): a.sha256 for a in ReportAttachment.objects.all()},
        "audit": [list(r) for r in AuditEntry.objects.order_by("pk").values_list("pk", "action")],
        "counters": [
            list(r)
            for r in NumberCounter.objects.order_by("pk").values_list(
                "issuer__unit__code", "series", "year", "last"
            )
        ],
    }
    assert len(before["documents"]) == 3 and len(before["attachments"]) == 2
    assert len(before["reports"]) == 1 and before["counters"][0][3] == 3
    for ref_sha, name in [
        (a.sha256, f"approvals/{a.stored_name}") for a in Attachment.objects.all()
    ]:
        assert file_sha256(storage, name)[0] == ref_sha  # what the backup will read

    out = tmp_path / "backup"
    call_command("backup", str(out), stdout=io.StringIO())
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["storage"] == kind
    assert sorted(p.name for p in out.iterdir()) == (
        ["database.dump", "files.tar", MANIFEST]
        if kind == "filesystem"
        else ["database.dump", MANIFEST]
    )
    assert len(manifest["files"]) == 6 and not manifest["missing"] and not manifest["mismatched"]

    media = tmp_path / "restored-media"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "APP_"))},
        "DATABASE_URL": restore_database,
        "APP_VAR_DIR": str(tmp_path / "restored-var"),
        "APP_MEDIA_ROOT": str(media),
        "APP_FILE_STORAGE": kind,
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "CELERY_TASK_ALWAYS_EAGER": "false",  # the next document's render waits in var/broker
        # the same apps as the backed-up installation (the tests' own procedure included)
        "APP_EXTRA_APPS": os.environ.get("APP_EXTRA_APPS", ""),
    }
    restored = _manage("manage.py", "restore", str(out), env=env)
    assert "every check passed" in restored
    if kind == "filesystem":
        assert len([p for p in media.rglob("*") if p.is_file()]) == 6
    else:
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    after = json.loads(_manage("-m", "tests.services.restored_system", env=env).splitlines()[-1])
    assert {
        d["public_id"]: (d["number"], d["status"], d["sha256"]) for d in after["documents"]
    } == before["documents"]
    for document in after["documents"]:
        assert document["file_sha256"] == document["sha256"], document
        assert document["verified"], document  # /verify/ finds the PDF genuine, revoked or not
    assert after["attachments"] == before["attachments"]
    assert after["reports"] == before["reports"]
    assert after["audit"] == before["audit"]
    assert after["counters"] == before["counters"]
    assert after["guard"].startswith("zhiji: the audit trail is append-only"), after["guard"]
    last = before["counters"][0][3]
    assert after["next"]["serial"] == last + 1
    assert after["next"]["number"].endswith(f"{last + 1}号")


def test_restore_refuses_a_database_that_is_not_empty(world_tx, kind, tmp_path):
    from django.core.management.base import CommandError

    out = tmp_path / "backup"
    call_command("backup", str(out), stdout=io.StringIO())
    name = connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match=f"the database {name} is not empty"):
        call_command("restore", str(out), stdout=io.StringIO())
    assert Unit.objects.filter(pk=world_tx.school.pk).exists()  # untouched


def test_a_damaged_backup_is_refused_before_anything_is_restored(world_tx, kind, tmp_path):
    from django.core.management.base import CommandError

    out = tmp_path / "backup"
    call_command("backup", str(out), stdout=io.StringIO())
    with (out / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    with pytest.raises(CommandError, match="does not have the SHA-256 in the manifest"):
        call_command("restore", str(out))


def test_the_nightly_backup_writes_one_dated_folder_and_keeps_the_newest(
    world_tx, settings, tmp_path
):
    settings.BACKUP_DIR = str(tmp_path)
    settings.BACKUP_KEEP = 2
    for old in ("zhiji-20250101", "zhiji-20250102"):
        (tmp_path / old).mkdir()
        (tmp_path / old / MANIFEST).write_text("{}")
    tonight = Path(backup_nightly())
    assert tonight.parent == tmp_path and (tonight / MANIFEST).exists()
    assert backup_nightly() == ""  # delivered twice: tonight's backup exists, nothing done
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zhiji-20250102", tonight.name]
    manifest = json.loads((tonight / MANIFEST).read_text())
    assert (
        manifest["database"]["sha256"]
        == hashlib.sha256((tonight / "database.dump").read_bytes()).hexdigest()
    )
