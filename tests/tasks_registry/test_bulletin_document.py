"""The progress bulletin (通报) goes out as an official document of the leading-group office."""

import re
from datetime import date, timedelta

import pdfplumber
from django.test import Client

from docs_gen import services as docs
from docs_gen.models import OfficialDocument
from tests.factories import member
from tests.tasks_registry.supervision_helpers import dispatch
from workflows.models import Role


def test_the_office_turns_the_bulletin_into_a_draft_then_signs_and_issues_it(
    world, login, django_capture_on_commit_callbacks
):
    dispatch(world, 2)
    dispatch(world, 6, days=30, start=date.today() - timedelta(days=40))  # overdue
    client = login(world.office_handler)
    preview = client.get("/dashboard/bulletin/").content.decode()
    assert "生成公文草稿" in preview

    response = client.post("/dashboard/bulletin/draft/")
    document = OfficialDocument.objects.get()
    assert response.status_code == 302 and str(document.public_id) in response["Location"]
    assert document.kind == "bulletin" and document.status == "draft"
    assert document.issuer.unit == world.office
    assert document.number == ""  # numbered at issue, never earlier
    assert any(b.get("text") == "一、总体情况" for b in document.body)

    office_leader = member(world.office, Role.LEADER)
    docs.document_submit(document=document, actor=world.office_handler)
    docs.document_sign_off(document=document, actor=office_leader)
    with django_capture_on_commit_callbacks(execute=True):
        docs.document_issue(document=document, actor=world.office_handler)
    document.refresh_from_db()
    assert re.fullmatch(r"台职技融通办发〔\d{4}〕1号", document.number)
    with document.pdf.open("rb") as fh, pdfplumber.open(fh) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "总体情况" in text.replace(" ", "")


def test_only_the_office_may_draft_the_bulletin(world, login):
    dispatch(world, 2)
    response = login(world.edu_handler, Client()).post("/dashboard/bulletin/draft/")
    assert response.status_code == 403
    assert not OfficialDocument.objects.exists()
