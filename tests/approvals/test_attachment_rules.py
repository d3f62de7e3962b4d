"""Application attachments: the same attachment service as progress reports
(workflows.attachments), driven through the applicant's edit page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.common.models import Attachment
from tests.approvals.conftest import draft, form_data
from tests.attachment_samples import GOOD, HOSTILE, good_pdf

pytestmark = pytest.mark.django_db


def url(name, app, *more):
    return reverse(f"applications:{name}", args=[app.public_id, *more])


def _stored_files(settings):
    return sorted(p for p in (settings.MEDIA_ROOT / "approvals").rglob("*") if p.is_file())


def _save(client, app, upload):
    return client.post(url("edit", app), {**form_data(), "action": "save", "files": [upload]})


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_and_nothing_is_stored(world, login, settings, case):
    app = draft(world)  # with one good PDF already
    before = _stored_files(settings)
    name, content, phrase = HOSTILE[case]
    response = _save(login(world.school_handler), app, SimpleUploadedFile(name, content))
    body = response.content.decode()
    assert phrase in body and f"附件「{name}」" in body
    assert app.attachments.count() == 1
    assert _stored_files(settings) == before


@pytest.mark.parametrize("case", sorted(GOOD))
def test_a_good_file_is_stored_under_its_sniffed_type_and_served_as_a_download(
    world, login, settings, case
):
    app = draft(world)
    name, content, content_type, extension = GOOD[case]
    client = login(world.school_handler)
    _save(client, app, SimpleUploadedFile(name, content))
    attachment = app.attachments.get(original_name=name)
    assert attachment.stored_name.endswith(f".{extension}")
    assert (settings.MEDIA_ROOT / "approvals" / attachment.stored_name).read_bytes() == content
    response = client.get(url("file", app, attachment.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_pdf_named_like_a_photo_is_stored_as_a_pdf(world, login):
    app = draft(world)
    client = login(world.school_handler)
    _save(client, app, SimpleUploadedFile("../photo.jpg", good_pdf(), content_type="image/jpeg"))
    attachment = app.attachments.get(original_name="photo.jpg")
    assert attachment.stored_name.endswith(".pdf") and attachment.content_type == "application/pdf"
    response = client.get(url("file", app, attachment.public_id))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="photo.pdf"' in response["Content-Disposition"]


def test_another_school_gets_404_on_an_attachment(world, login):
    app = draft(world)
    attachment = app.attachments.get()
    assert (
        login(world.other_school_handler).get(url("file", app, attachment.public_id)).status_code
        == 404
    )
    assert Attachment.objects.filter(pk=attachment.pk).exists()
