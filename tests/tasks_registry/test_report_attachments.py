"""Progress-report attachments go through the one attachment service (workflows.attachments)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_registry.models import ProgressReport, ReportAttachment
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.attachment_samples import GOOD, HOSTILE, good_pdf, good_png
from tests.tasks_registry.supervision_helpers import branch_of, dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(world):
    sup = dispatch(world, 15)  # 市人力社保局，职业院校 (s01..s05)
    return branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)


def _report(client, branch, *uploads):
    return client.post(
        f"/tasks/branches/{branch.public_id}/report/",
        {"text": "完成调研，附材料", "percent": "40", "files": list(uploads)},
    )


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _download(client, attachment):
    return client.get(f"/tasks/attachments/{attachment.public_id}/")


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_and_nothing_is_stored(world, branch, login, settings, case):
    name, content, phrase = HOSTILE[case]
    response = _report(login(world.school_handler), branch, SimpleUploadedFile(name, content))
    body = response.content.decode()
    assert response.status_code == 400
    assert phrase in body and f"附件「{name}」" in body
    assert "完成调研，附材料" in body  # what was typed is kept
    assert not ProgressReport.objects.filter(branch=branch).exists()
    assert not ReportAttachment.objects.exists()
    assert _stored_files(settings) == []


def test_one_hostile_file_among_good_ones_stores_none_of_them(world, branch, login, settings):
    name, content, _phrase = HOSTILE["pdf_javascript"]
    response = _report(
        login(world.school_handler),
        branch,
        SimpleUploadedFile("好.pdf", good_pdf()),
        SimpleUploadedFile(name, content),
    )
    assert response.status_code == 400
    assert not ReportAttachment.objects.exists() and _stored_files(settings) == []


@pytest.mark.parametrize("case", sorted(GOOD))
def test_a_good_file_is_stored_under_a_generated_name_and_served_as_a_download(
    world, branch, login, settings, case
):
    name, content, content_type, extension = GOOD[case]
    client = login(world.school_handler)
    assert _report(client, branch, SimpleUploadedFile(name, content)).status_code == 302
    attachment = ReportAttachment.objects.get(report__branch=branch)
    assert attachment.name == name and attachment.content_type == content_type
    assert attachment.file.name.startswith("supervision/")
    assert attachment.file.name.endswith(f".{extension}") and name not in attachment.file.name
    assert _stored_files(settings) == [settings.MEDIA_ROOT / attachment.file.name]
    response = _download(client, attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_pdf_named_like_a_photo_is_stored_and_served_as_a_pdf(world, branch, login):
    client = login(world.school_handler)
    upload = SimpleUploadedFile("../../photo.jpg", good_pdf(), content_type="image/jpeg")
    assert _report(client, branch, upload).status_code == 302
    attachment = ReportAttachment.objects.get()
    assert attachment.name == "photo.jpg"  # the label, without the folders
    assert attachment.file.name.endswith(".pdf") and ".." not in attachment.file.name
    response = _download(client, attachment)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="photo.pdf"' in response["Content-Disposition"]


def test_another_unit_gets_404_on_an_attachment(world, branch, login):
    report = progress_report_submit(
        branch=branch,
        actor=world.school_handler,
        text="x",
        percent=10,
        files=[SimpleUploadedFile("a.png", good_png())],
    )
    attachment = report.attachments.get()
    assert _download(login(world.other_school_handler), attachment).status_code == 404
    assert _download(login(world.edu_handler), attachment).status_code == 404  # not the lead
    assert _download(login(world.hrss_handler), attachment).status_code == 200  # the lead


def test_a_file_stored_before_the_rules_is_served_only_as_an_opaque_download(
    world, branch, login, settings
):
    report = progress_report_submit(branch=branch, actor=world.school_handler, text="x", percent=5)
    legacy = settings.MEDIA_ROOT / "supervision" / "15" / "abc" / "page.html"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"<html><script>alert(1)</script></html>")
    attachment = ReportAttachment.objects.create(
        report=report, file="supervision/15/abc/page.html", name="page.html", size=38
    )
    response = _download(login(world.school_handler), attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_missing_from_the_disk_is_404_not_500(world, branch, login):
    report = progress_report_submit(branch=branch, actor=world.school_handler, text="x", percent=5)
    attachment = ReportAttachment.objects.create(
        report=report, file="supervision/2020/gone.pdf", name="gone.pdf", size=1
    )
    assert _download(login(world.school_handler), attachment).status_code == 404
