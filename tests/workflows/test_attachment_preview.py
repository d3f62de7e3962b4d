"""Attachments: listed by name, size and date with a 预览 toggle; the preview view serves a
PDF or image inline through the same access check as the download, anything else as a
download, always with nosniff and a restrictive policy."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tasks_registry.models import ReportAttachment
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.approvals.conftest import pdf, submitted
from tests.attachment_samples import good_jpg, good_png
from tests.tasks_registry.supervision_helpers import branch_of, dispatch

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content)


def test_an_application_pdf_is_previewed_inline_and_listed_with_size_and_date(world, login):
    app = submitted(world)
    attachment = app.attachments.get()
    client = login(world.hrss_handler)  # the application is routed to the bureau
    page = client.get(f"/applications/{app.public_id}/").content.decode()
    item = page[page.index('<li class="zj-file">') :]
    item = item[: item.index("</li>")]
    assert attachment.original_name in item
    assert re.search(r"zj-file__meta\">[\d.]+\s(字节|bytes|KB)", item), item  # the size
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", item)  # the date
    assert attachment.sha256[:8] not in page  # no digest shown
    view = f"/applications/{app.public_id}/files/{attachment.public_id}/view/"
    assert "<summary>预览</summary>" in item and f'<iframe src="{view}"' in item
    response = client.get(view)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "form-action 'none'" in csp
    assert _body(response) == attachment_bytes(app)
    # the download stays a download
    download = client.get(f"/applications/{app.public_id}/files/{attachment.public_id}/")
    assert download["Content-Disposition"].startswith("attachment;")


def attachment_bytes(app):
    from approvals.common.attachments import AREA

    with AREA.open(app.attachments.get().stored_name) as handle:
        return handle.read()


def test_another_unit_gets_404_on_the_preview_as_on_the_download(world, login):
    app = submitted(world)
    attachment = app.attachments.get()
    for path in ("", "view/"):
        url = f"/applications/{app.public_id}/files/{attachment.public_id}/{path}"
        assert login(world.other_school_handler, Client()).get(url).status_code == 404
        assert login(world.school_handler, Client()).get(url).status_code == 200


def test_an_image_is_previewed_in_an_img_under_a_sandbox(world, login):
    app = submitted(world, uploads=[pdf(), SimpleUploadedFile("现场照片.png", good_png())])
    photo = app.attachments.get(original_name="现场照片.png")
    client = login(world.school_handler)
    page = client.get(f"/applications/{app.public_id}/").content.decode()
    view = f"/applications/{app.public_id}/files/{photo.public_id}/view/"
    assert f'<img src="{view}" alt="现场照片.png" loading="lazy">' in page
    response = client.get(view)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def branch(world):
    sup = dispatch(world, 15)
    return branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)


def test_a_report_jpeg_is_previewed_and_a_legacy_file_still_downloads(
    world, branch, login, settings
):
    report = progress_report_submit(
        branch=branch,
        actor=world.school_handler,
        text="x",
        percent=10,
        files=[SimpleUploadedFile("会议.jpg", good_jpg())],
    )
    photo = report.attachments.get()
    client = login(world.school_handler)
    page = client.get(f"/tasks/branches/{branch.public_id}/").content.decode()
    assert f'<img src="/tasks/attachments/{photo.public_id}/view/"' in page
    response = client.get(f"/tasks/attachments/{photo.public_id}/view/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    outsider = login(world.other_school_handler, Client())
    assert outsider.get(f"/tasks/attachments/{photo.public_id}/view/").status_code == 404
    # a file kept from before the rules (no checked type) is never shown: a download
    legacy = settings.MEDIA_ROOT / "supervision" / "15" / "abc" / "page.html"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"<html><script>alert(1)</script></html>")
    old = ReportAttachment.objects.create(
        report=report, file="supervision/15/abc/page.html", name="page.html", size=38
    )
    response = client.get(f"/tasks/attachments/{old.public_id}/view/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    page = client.get(f"/tasks/branches/{branch.public_id}/").content.decode()
    assert f"/tasks/attachments/{old.public_id}/view/" not in page  # no 预览 offered
