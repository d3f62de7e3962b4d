"""In English the pages around a document are English; the document itself is Chinese.

The 公文 is laid out to GB/T 9704: its labels (附件, 抄送, 印发), dates (2026年…日),
seal text and page numbers ("— 1 —") are data, the same in every UI language.
"""

import io
import re

import pytest
from django.utils import translation

from docs_gen import services
from docs_gen.models import OfficialDocument
from docs_gen.rendering import render_preview_html
from tests.docs_gen.conftest import BODY
from workflows.exceptions import RuleViolation
from workflows.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _pdf_text(pdf: bytes) -> str:
    import pypdf

    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _issue_in_english(world, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        return services.document_issue_for_decision(
            issuer=world.edu,
            kind="notice",
            title="台州市教育局关于开展职技融通改革试点工作的通知",
            addressees=["各县（市、区）教育局"],
            body=BODY,
            attachments=[
                {"title": "试点学校名单", "body": [{"type": "paragraph", "text": "略。"}]}
            ],
            cc=["市人力社保局"],
            note="此件公开发布",
            actor=world.edu_leader,
            signer=world.edu_leader,
        )


def test_a_document_issued_while_english_is_active_is_chinese(
    world, issuers, django_capture_on_commit_callbacks
):
    document = _issue_in_english(world, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.render_status == "done"
    text = _pdf_text(document.pdf.read())
    compact = re.sub(r"\s+", "", text)
    for label in ("台州市教育局文件", "台教发〔", "附件", "抄送", "印发", "年", "月", "日", "—1—"):
        assert label in compact, label
    # only the verification line's URL is Latin; no translated label slipped in
    words = set(LATIN_WORD.findall(re.sub(r"https?://\S+", "", text)))
    assert words == set(), words
    for english in ("Attachment", "Copied", "Issue", "Notice", "Page"):
        assert english not in text


def test_the_html_preview_is_chinese_for_an_english_reader(
    world, issuers, login, django_capture_on_commit_callbacks
):
    document = _issue_in_english(world, django_capture_on_commit_callbacks)
    client = login(world.edu_handler)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/docs/{document.public_id}/preview/").content.decode()
    with translation.override("zh-hans"):
        assert html == render_preview_html(OfficialDocument.objects.get(pk=document.pk).snapshot)
    assert "抄送" in html and "Copied" not in html


def test_refusals_are_in_the_actors_language_and_stored_text_in_chinese(world, issuers):
    with translation.override("en"):
        with pytest.raises(RuleViolation) as refused:
            services.document_create(
                issuer=world.edu,
                kind="notice",
                title="",
                addressees=["各校"],
                body=BODY,
                actor=world.edu_handler,
            )
        assert refused.value.message == "Title: must not be empty"
        document = services.document_create(
            issuer=world.edu,
            kind="notice",
            title="关于试点的通知",
            addressees=["各校"],
            body=BODY,
            actor=world.edu_handler,
        )
        services.document_submit(document=document, actor=world.edu_handler)
    note = Notification.objects.filter(recipient=world.edu_leader).latest("id")
    assert note.title == "待签发：关于试点的通知"
    assert AuditEntry.objects.for_object(document).count() == 2
