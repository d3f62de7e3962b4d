"""Files go through the configured storage (workflows.storage): on APP_FILE_STORAGE=database
they are rows of the database, written in the transaction of the row naming them, streamed
in chunks, served with the same checks and headers; move_files moves them there and back."""

import hashlib
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from approvals.common import attachments as files
from approvals.common import services as approval_services
from approvals.common.models import Attachment
from docs_gen import services as docs_services
from tasks_registry.models import ReportAttachment
from tasks_registry.services import branch_acknowledge
from tests.approvals.conftest import PDF, draft
from tests.attachment_samples import good_png
from tests.docs_gen.conftest import BODY
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.attachments import check_upload
from workflows.models import StoredFile
from workflows.storage import DatabaseStorage

pytestmark = pytest.mark.django_db

DATABASE = {"BACKEND": "workflows.storage.DatabaseStorage"}
FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def use_storage(settings, backend):
    settings.STORAGES = {**settings.STORAGES, "default": backend}


@pytest.fixture
def on_database(settings):
    use_storage(settings, DATABASE)


def files_on_disk(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def issue(world):
    document = docs_services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    docs_services.document_render(document_id=document.pk)
    document.refresh_from_db()
    return document


# --- the storage itself -----------------------------------------------------------------


def test_a_file_in_the_database_is_read_back_in_chunks_of_its_own_size():
    content = os.urandom(5000)
    storage = DatabaseStorage(chunk_bytes=1024)
    name = storage.save("approvals/2026/a.pdf", ContentFile(content))
    assert name == "approvals/2026/a.pdf"
    row = StoredFile.objects.get(name=name)
    assert row.size == 5000 and row.sha256 == hashlib.sha256(content).hexdigest()
    assert storage.exists(name) and storage.size(name) == 5000
    with CaptureQueriesContext(connection) as queries, storage.open(name) as handle:
        assert handle.read(10) == content[:10]
        assert handle.read() == content[10:]
    slices = [q for q in queries.captured_queries if "SUBSTR" in q["sql"].upper()]
    assert len(slices) == 5  # 5000 bytes in 1024-byte slices, never the whole row at once
    with storage.open(name) as handle:
        handle.seek(4990)
        assert handle.read() == content[4990:]
        assert handle.seek(0, os.SEEK_END) == 5000
    assert storage.listdir("approvals") == (["2026"], [])
    assert storage.listdir("approvals/2026") == ([], ["a.pdf"])
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(FileNotFoundError):
        storage.open(name)


def test_a_second_file_of_the_same_name_gets_a_name_of_its_own():
    storage = DatabaseStorage()
    first = storage.save("docs/2026/x.pdf", ContentFile(b"%PDF-1"))
    second = storage.save("docs/2026/x.pdf", ContentFile(b"%PDF-2"))
    assert first != second
    assert storage.open(first).read() == b"%PDF-1" and storage.open(second).read() == b"%PDF-2"


def test_a_file_and_its_row_commit_or_roll_back_together(world, on_database):
    checked = check_upload(SimpleUploadedFile("报告.pdf", PDF))
    with pytest.raises(RuntimeError), transaction.atomic():
        files.AREA.save(checked)
        raise RuntimeError("the request failed after the upload was stored")
    assert not StoredFile.objects.exists()

    app = draft(world)
    attachment = app.attachments.get()
    assert StoredFile.objects.filter(name=f"approvals/{attachment.stored_name}").exists()
    approval_services.attachment_remove(attachment=attachment, actor=world.school_handler)
    assert not StoredFile.objects.exists() and not Attachment.objects.exists()


# --- the same pages on the database storage --------------------------------------------


def test_an_application_file_in_the_database_downloads_with_the_same_checks_and_headers(
    world, login, settings, on_database
):
    app = draft(world)
    attachment = app.attachments.get()
    assert files_on_disk(settings) == []
    url = f"/applications/{app.public_id}/files/{attachment.public_id}/"
    response = login(world.school_handler).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))
    assert b"".join(response.streaming_content) == PDF
    assert login(world.other_school_handler).get(url).status_code == 404


def test_a_progress_report_file_in_the_database_is_uploaded_and_downloaded(
    world, login, settings, on_database
):
    branch = branch_acknowledge(
        branch=branch_of(dispatch(world, 15), world.school), actor=world.school_handler
    )
    png = good_png()
    client = login(world.school_handler)
    response = client.post(
        f"/tasks/branches/{branch.public_id}/report/",
        {
            "text": "完成调研，附材料",
            "percent": "40",
            "files": [SimpleUploadedFile("照片.png", png)],
        },
    )
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get()
    assert files_on_disk(settings) == []
    assert StoredFile.objects.get(name=attachment.file.name).sha256 == attachment.sha256
    download = client.get(f"/tasks/attachments/{attachment.public_id}/")
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png


def test_an_issued_pdf_in_the_database_downloads_and_verifies(
    world, login, settings, client, on_database
):
    from docs_gen.demo import ensure_issuers

    ensure_issuers()
    document = issue(world)
    assert document.pdf.name.startswith("docs/") and files_on_disk(settings) == []
    response = login(world.edu_handler).get(f"/docs/{document.public_id}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    pdf = b"".join(response.streaming_content)
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    verified = client.post(
        f"/verify/{document.verification_code}/",
        {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")},
    )
    assert "一致：上传的文件与印发的公文完全相同。" in verified.content.decode()


# --- move_files -------------------------------------------------------------------------


def _everything(world):
    from docs_gen.demo import ensure_issuers

    ensure_issuers()
    app = draft(
        world, uploads=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", good_png())]
    )
    document = issue(world)
    names = [f"approvals/{a.stored_name}" for a in app.attachments.all()] + [document.pdf.name]
    return app, document, names


def test_move_files_moves_every_file_to_the_database_and_back_checking_each(world, settings, login):
    app, document, names = _everything(world)
    on_disk = {
        p.relative_to(settings.MEDIA_ROOT).as_posix(): p.read_bytes()
        for p in files_on_disk(settings)
    }
    assert sorted(on_disk) == sorted(names)

    out = io.StringIO()
    call_command("move_files", "--to", "database", stdout=out)
    assert "3 files referenced: 3 moved to database" in out.getvalue()
    assert files_on_disk(settings) == []
    assert {r.name: bytes(r.content) for r in StoredFile.objects.all()} == on_disk

    again = io.StringIO()
    call_command("move_files", "--to", "database", stdout=again)
    assert "0 moved to database, 3 already there" in again.getvalue()  # idempotent

    use_storage(settings, DATABASE)  # what the operator sets next
    attachment = app.attachments.first()
    response = login(world.school_handler).get(
        f"/applications/{app.public_id}/files/{attachment.public_id}/"
    )
    assert b"".join(response.streaming_content) == on_disk[f"approvals/{attachment.stored_name}"]

    back = io.StringIO()
    call_command("move_files", "--to", "filesystem", stdout=back)
    assert "3 moved to filesystem" in back.getvalue()
    assert not StoredFile.objects.exists()
    assert {
        p.relative_to(settings.MEDIA_ROOT).as_posix(): p.read_bytes()
        for p in files_on_disk(settings)
    } == on_disk


def test_move_files_refuses_a_file_whose_content_is_not_what_its_row_recorded(world, settings):
    app, document, names = _everything(world)
    damaged = settings.MEDIA_ROOT / document.pdf.name
    damaged.write_bytes(damaged.read_bytes()[:-10])
    with pytest.raises(CommandError) as refused:
        call_command("move_files", "--to", "database", stdout=io.StringIO())
    message = str(refused.value)
    assert "1 files not moved" in message and document.pdf.name in message
    assert f"its row recorded {document.sha256}" in message
    assert damaged.exists()  # left where it was
    assert not StoredFile.objects.filter(name=document.pdf.name).exists()
    assert StoredFile.objects.count() == 2  # the good ones moved


def test_move_files_names_a_file_that_is_nowhere(world, settings):
    app, document, names = _everything(world)
    (settings.MEDIA_ROOT / names[0]).unlink()
    with pytest.raises(
        CommandError, match=f"{names[0]} \\(approvals.Attachment\\): in neither storage"
    ):
        call_command("move_files", "--to", "database", stdout=io.StringIO())


def test_backup_says_what_to_do_in_the_embedded_sqlite_mode(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL backup is tested in tests/services/test_backup_restore.py")
    with pytest.raises(CommandError, match="backup and restore need PostgreSQL"):
        call_command("backup", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
