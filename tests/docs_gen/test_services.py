"""The lifecycle of an official document: draft, sign-off, number at issue, render, revoke."""

import hashlib
import re

import pytest

from docs_gen import services
from docs_gen.models import DocumentStatus, NumberCounter, OfficialDocument, RenderStatus
from docs_gen.rendering import NUMBER_RE
from tests.docs_gen.conftest import BODY
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db


def draft(world, actor=None, **over):
    kwargs = {
        "issuer": world.edu,
        "kind": "notice",
        "title": "台州市教育局关于开展职技融通改革试点工作的通知",
        "addressees": ["各县（市、区）教育局"],
        "body": BODY,
        "actor": actor or world.edu_handler,
        "cc": ["市人力社保局"],
        "note": "此件公开发布",
    }
    kwargs.update(over)
    return services.document_create(**kwargs)


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the render task, eager) as a real commit would."""
    global _commit
    _commit = django_capture_on_commit_callbacks


def issued(world, issuers, **over):
    with _commit(execute=True):
        return _issue(world, **over)


def _issue(world, **over):
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="reply",
        title="台州市教育局关于同意试点的批复",
        addressees=["台州市第一职业技术学校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
        **over,
    )


def test_a_draft_has_no_number(world, issuers):
    document = draft(world)
    assert document.status == DocumentStatus.DRAFT
    assert document.number == "" and document.serial is None


def test_only_members_of_the_issuing_unit_may_draft(world, issuers):
    with pytest.raises(RuleViolation):
        draft(world, actor=world.hrss_handler)


def test_a_unit_without_a_registered_code_cannot_issue(world, issuers):
    with pytest.raises(RuleViolation, match="机关代字"):
        draft(world, issuer=world.school, actor=world.school_handler)


def test_bad_body_blocks_are_refused_in_chinese(world, issuers):
    with pytest.raises(RuleViolation, match="标题层级"):
        draft(world, body=[{"type": "heading", "level": 7, "text": "x"}])
    with pytest.raises(RuleViolation, match="标题"):
        draft(world, title="  ")


def test_only_a_leader_of_the_issuing_unit_signs_off(world, issuers):
    document = draft(world)
    services.document_submit(document=document, actor=world.edu_handler)
    for outsider in (world.edu_handler, world.edu_head, world.hrss_leader):
        with pytest.raises(RuleViolation):
            services.document_sign_off(document=document, actor=outsider)
    services.document_sign_off(document=document, actor=world.edu_leader)
    document.refresh_from_db()
    assert document.status == DocumentStatus.SIGNED
    assert document.number == ""  # signing gives no number


def test_the_number_is_given_at_issue_and_counts_from_one(world, issuers):
    first = issued(world, issuers)
    second = issued(world, issuers)
    year = first.issued_on.year
    assert first.number == f"台教发〔{year}〕1号"
    assert second.number == f"台教发〔{year}〕2号"
    assert NUMBER_RE.match(first.number)
    assert NumberCounter.objects.get(issuer=first.issuer, series="发", year=year).last == 2


def test_series_and_issuers_count_separately(world, issuers):
    a = issued(world, issuers)
    b = issued(world, issuers, series="函")
    c = services.document_issue_for_decision(
        issuer=world.hrss,
        kind="notice",
        title="通知",
        addressees=["各校"],
        body=BODY,
        actor=world.hrss_leader,
        signer=world.hrss_leader,
    )
    assert a.serial == b.serial == c.serial == 1
    assert "台教函〔" in b.number and c.number.startswith("台人社发〔")


def test_a_failed_issue_uses_no_number(world, issuers):
    document = draft(world)
    with pytest.raises(Conflict):
        services.document_issue(document=document, actor=world.edu_leader)  # not signed yet
    assert not NumberCounter.objects.filter(last__gt=0).exists()


def test_issue_for_decision_renders_and_audits_each_step(world, issuers):
    document = issued(world, issuers)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert document.render_status == RenderStatus.DONE
    assert document.sha256 == hashlib.sha256(document.pdf.read()).hexdigest()
    assert document.signer == world.edu_leader
    actions = list(AuditEntry.objects.for_object(document).values_list("action", flat=True))
    assert actions == ["docs.create", "docs.sign_off", "docs.issue", "docs.rendered"]


def test_the_signer_of_a_decision_must_lead_the_issuer(world, issuers):
    with pytest.raises(RuleViolation):
        services.document_issue_for_decision(
            issuer=world.edu,
            kind="reply",
            title="批复",
            addressees=["x"],
            body=BODY,
            actor=world.edu_handler,
            signer=world.hrss_leader,
        )
    assert not OfficialDocument.objects.exists()  # one transaction: nothing left behind


def test_rendering_twice_keeps_one_file_and_one_number(world, issuers):
    document = issued(world, issuers)
    document.refresh_from_db()
    name, digest, number = document.pdf.name, document.sha256, document.number
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert (document.pdf.name, document.sha256, document.number) == (name, digest, number)
    assert NumberCounter.objects.get().last == 1


def test_a_render_failure_is_stored_and_can_be_retried(world, issuers, monkeypatch):
    import docs_gen.rendering

    def broken(snapshot, **kw):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(docs_gen.rendering, "render_issued", broken)
    document = issued(world, issuers)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.FAILED
    assert "字体缺失" in document.render_error
    assert document.number  # the number stays
    monkeypatch.undo()
    with pytest.raises(RuleViolation):
        services.document_render_retry(document=document, actor=world.hrss_handler)
    with _commit(execute=True):
        services.document_render_retry(document=document, actor=world.edu_handler)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.DONE and document.sha256


def test_an_issued_document_cannot_be_edited(world, issuers):
    document = issued(world, issuers)
    with pytest.raises(Conflict):
        services.document_update(
            document=document,
            actor=world.edu_handler,
            kind="notice",
            title="改",
            addressees=["x"],
            body=BODY,
        )


def test_revoking_keeps_the_document_and_its_number(world, issuers):
    document = issued(world, issuers)
    with pytest.raises(RuleViolation):
        services.document_revoke(document=document, actor=world.edu_handler, reason="错误")
    with pytest.raises(RuleViolation):
        services.document_revoke(document=document, actor=world.edu_leader, reason="")
    services.document_revoke(document=document, actor=world.edu_leader, reason="内容有误")
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED and document.number and document.pdf
    with pytest.raises(Conflict):
        services.document_revoke(document=document, actor=world.edu_leader, reason="again")


def test_a_batch_issues_many_with_progress(world, issuers):
    from docs_gen.selectors import batch_progress

    documents = []
    for i in range(3):
        d = draft(world, title=f"获奖通知{i}")
        services.document_sign_off(document=d, actor=world.edu_leader)
        documents.append(d)
    with _commit(execute=True):
        batch = services.documents_issue_batch(
            documents=documents, actor=world.edu_handler, label="获奖通知"
        )
    assert batch_progress(batch) == {
        "total": 3,
        "done": 3,
        "failed": 0,
        "queued": 0,
        "percent": 100,
    }
    assert sorted(batch.documents.values_list("serial", flat=True)) == [1, 2, 3]


def test_the_demo_loader_creates_issuers_and_issued_documents(world):
    """load_demo issues one document of every kind, a joint notice among them, one with
    the 版头's 份号, 密级 and 紧急程度, bodies ending on odd and on even pages; each is
    rendered through the ordinary path and its 版记 is on an even page."""
    import io

    import pdfplumber

    from docs_gen.demo import DEMO_DOCUMENTS, load_demo_documents
    from docs_gen.models import DocumentKind, Issuer
    from tests.factories import member
    from workflows.models import Role

    member(world.office, Role.LEADER)
    with _commit(execute=True):
        load_demo_documents()
        load_demo_documents()  # idempotent
    documents = list(OfficialDocument.objects.filter(status=DocumentStatus.ISSUED))
    assert len(documents) == len(DEMO_DOCUMENTS)
    assert {d.kind for d in documents} == set(DocumentKind.values)
    joint = [d for d in documents if d.snapshot["joint"]]
    assert [d.snapshot["joint"] for d in joint] == [["台州市教育局", "台州市人力资源和社会保障局"]]
    assert joint[0].kind == "notice" and joint[0].number.startswith("台教发")
    assert joint[0].co_issuers.get().countersigned_by == world.hrss_leader
    flagged = [d for d in documents if d.snapshot["secrecy"]]
    assert [
        (d.snapshot["copy_number"], d.snapshot["secrecy"], d.snapshot["urgency"]) for d in flagged
    ] == [("000012", "秘密★1年", "特急")]
    endings = set()
    for document in documents:
        assert document.render_status == RenderStatus.DONE, document.render_error
        with document.pdf.open("rb") as f, pdfplumber.open(io.BytesIO(f.read())) as pdf:
            texts = [(p.extract_text() or "").replace(" ", "") for p in pdf.pages]
        assert "印发" in texts[-1] and len(texts) % 2 == 0  # the 版记 on an even page
        # the text ends on the last numbered page (a blank page and the 版记's own page
        # carry no number; a letter's first page neither)
        numbered = [i for i, t in enumerate(texts, start=1) if re.search(rf"—{i}—$", t)]
        endings.add(max(numbered, default=1) % 2)
    assert endings == {0, 1}
    assert set(Issuer.objects.values_list("code", flat=True)) >= {
        "台教",
        "台人社",
        "台财",
        "台发改",
        "台政办",
    }


def test_a_leader_finds_drafts_to_sign_in_the_inbox(world, issuers):
    from docs_gen.inbox import document_inbox

    document = draft(world)
    services.document_submit(document=document, actor=world.edu_handler)
    rows = document_inbox(world.edu_leader)
    assert [r.subject for r in rows] == [document.title]
    assert document_inbox(world.hrss_leader) == []
    assert document_inbox(world.edu_handler) == []


def test_an_upward_document_freezes_its_signer_and_header_flags_at_issue(world, issuers):
    """The 版头's optional elements and the 签发人 of an upward document go into the
    frozen snapshot, and so into the PDF, through the ordinary sign-off and issue."""
    import io

    import pdfplumber

    document = draft(
        world, upward=True, copy_number="7", secrecy="机密", secrecy_term="5年", urgency="加急"
    )
    assert services.document_snapshot(document, draft=True)["upward"] is True
    services.document_submit(document=document, actor=world.edu_handler)
    services.document_sign_off(document=document, actor=world.edu_leader)
    with _commit(execute=True):
        services.document_issue(document=document, actor=world.edu_handler)
    document.refresh_from_db()
    snap = document.snapshot
    assert snap["signer"] == document.signer_name != ""
    assert (snap["copy_number"], snap["secrecy"], snap["urgency"]) == ("000007", "机密★5年", "加急")
    assert document.render_status == RenderStatus.DONE
    with document.pdf.open("rb") as f, pdfplumber.open(io.BytesIO(f.read())) as pdf:
        text = pdf.pages[0].extract_text()
    for expected in ("000007", "机密★5年", "加急", "签发人：" + document.signer_name):
        assert expected in text.replace(" ", "")
