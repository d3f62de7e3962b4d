"""Joint documents (联合行文): co-issuers after the lead, each co-issuer's leader countersigns
(会签) before the lead's leader signs off, one number of the lead; the red mark stacks the
names with 文件 beside them, and every issuer's seal presses its own name (GB/T 9704-2012
§7.2.4, §7.3.5.1; docs/GBT9704.md). Measured with pdfplumber, ±1 mm."""

import io
import itertools

import pdfplumber
import pytest

from docs_gen import services
from docs_gen.models import CoIssuer, DocumentStatus, NumberCounter, RenderStatus
from docs_gen.rendering import NUMBER_RE, render_pdf
from tests.docs_gen.conftest import BODY, two_page_body
from tests.docs_gen.test_layout import (
    MM,
    TEXT_LEFT,
    TEXT_RIGHT,
    TEXT_TOP,
    TOL,
    _coloured,
    _is_red,
    _lines,
    _text,
    snapshot,
)
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import AuditEntry

EDU, HRSS = "台州市教育局", "台州市人力资源和社会保障局"
CENTRE = (TEXT_LEFT + TEXT_RIGHT) / 2
LINE = 28.99


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    global _commit
    _commit = django_capture_on_commit_callbacks


def _joint_draft(world, **over):
    kwargs = {
        "issuer": world.edu,
        "co_issuers": [world.hrss],
        "kind": "notice",
        "title": "台州市教育局 台州市人力资源和社会保障局关于公布职技融通改革试点院校名单的通知",
        "addressees": ["各县（市、区）教育局、人力社保局", "市直各职业院校"],
        "body": BODY,
        "actor": world.edu_handler,
        "cc": ["市财政局"],
    }
    kwargs.update(over)
    return services.document_create(**kwargs)


def _issue_joint(world, **over):
    kwargs = {
        "issuers": [world.edu, world.hrss],
        "signers": [world.edu_leader, world.hrss_leader],
        "kind": "notice",
        "title": "台州市教育局 台州市人力资源和社会保障局关于公布职技融通改革试点院校名单的通知",
        "addressees": ["各县（市、区）教育局、人力社保局", "市直各职业院校"],
        "body": BODY,
        "actor": world.edu_handler,
        "cc": ["市财政局"],
        "note": "此件公开发布",
    }
    kwargs.update(over)
    with _commit(execute=True):
        return services.document_issue_for_decision(**kwargs)


# --- the services -------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_joint_notice_takes_one_number_of_the_lead_after_the_countersignature(world, issuers):
    document = _issue_joint(world)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert document.number.startswith("台教发〔") and NUMBER_RE.match(document.number)
    assert document.issuer.unit == world.edu
    # the lead's counter moved, the co-issuer's series was not touched
    assert NumberCounter.objects.get(issuer__unit=world.edu).last == 1
    assert not NumberCounter.objects.filter(issuer__unit=world.hrss).exists()
    assert document.snapshot["joint"] == [EDU, HRSS]
    assert document.snapshot["printer"] == "台州市教育局办公室"
    (co,) = CoIssuer.objects.filter(document=document)
    assert co.countersigned_by == world.hrss_leader and co.countersigned_at is not None
    actions = list(
        AuditEntry.objects.for_object(document).order_by("id").values_list("action", flat=True)
    )
    assert actions[:4] == ["docs.create", "docs.countersign", "docs.sign_off", "docs.issue"]
    assert document.render_status == RenderStatus.DONE
    # a single issuer's call is unchanged, and numbers on in the lead's series
    single = services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    assert single.serial == 2 and single.snapshot["joint"] == []


@pytest.mark.django_db
def test_the_lead_cannot_sign_off_before_every_co_issuer_has_countersigned(world, issuers):
    document = _joint_draft(world)
    services.document_submit(document=document, actor=world.edu_handler)
    with pytest.raises(RuleViolation, match="签发：联合行文须先经各联署机关负责人会签") as exc:
        services.document_sign_off(document=document, actor=world.edu_leader)
    assert HRSS in exc.value.message
    services.document_countersign(document=document, actor=world.hrss_leader, opinion="同意。")
    document = services.document_sign_off(document=document, actor=world.edu_leader)
    assert document.status == DocumentStatus.SIGNED
    with _commit(execute=True):
        document = services.document_issue(document=document, actor=world.edu_handler)
    assert document.number.startswith("台教发")


@pytest.mark.django_db
def test_only_a_leader_of_a_co_issuer_countersigns_and_only_once(world, issuers):
    document = _joint_draft(world)
    services.document_submit(document=document, actor=world.edu_handler)
    for wrong in (world.edu_leader, world.hrss_handler, world.hrss_head):
        with pytest.raises(
            RuleViolation, match="只有联署机关（台州市人力资源和社会保障局）的分管领导"
        ):
            services.document_countersign(document=document, actor=wrong)
    with pytest.raises(RuleViolation, match="本人会签"):
        services.document_countersign(document=document, actor=None)
    services.document_countersign(document=document, actor=world.hrss_leader)
    with pytest.raises(Conflict, match="已由.*会签"):
        services.document_countersign(document=document, actor=world.hrss_leader)


@pytest.mark.django_db
def test_editing_the_draft_voids_the_countersignatures(world, issuers):
    document = _joint_draft(world)
    services.document_countersign(document=document, actor=world.hrss_leader)
    services.document_update(
        document=document,
        actor=world.edu_handler,
        kind="notice",
        title=document.title,
        addressees=document.addressees,
        body=[*BODY, {"type": "paragraph", "text": "特此通知。"}],
    )
    (co,) = CoIssuer.objects.filter(document=document)
    assert co.countersigned_at is None and co.issuer.unit == world.hrss
    entry = AuditEntry.objects.for_object(document).filter(action="docs.update").get()
    assert "会签作废" in entry.note and HRSS in entry.note
    with pytest.raises(RuleViolation, match="尚未会签的机关：台州市人力资源和社会保障局"):
        services.document_sign_off(document=document, actor=world.edu_leader)


@pytest.mark.django_db
def test_a_co_issuers_leader_may_send_the_draft_back(world, issuers):
    document = _joint_draft(world)
    services.document_submit(document=document, actor=world.edu_handler)
    document = services.document_return(
        document=document, actor=world.hrss_leader, opinion="请补充人社部门职责。"
    )
    assert document.status == DocumentStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over,message",
    [
        ({"co_issuers": ["edu"]}, "联署机关：市教育局 是主办机关"),
        ({"co_issuers": ["hrss", "hrss"]}, "联署机关：市人力社保局 重复列出"),
        ({"co_issuers": ["school"]}, "尚未登记机关代字，不能联合发文"),
        ({"kind": "letter"}, "联署机关：函使用信函格式"),
        ({"upward": True}, "联署机关：上行文须逐一标注各机关签发人"),
    ],
)
def test_co_issuers_are_checked_with_the_field_named(world, issuers, over, message):
    over = dict(over)
    if "co_issuers" in over:
        over["co_issuers"] = [getattr(world, name) for name in over["co_issuers"]]
    with pytest.raises(RuleViolation, match=message) as exc:
        _joint_draft(world, **over)
    assert exc.value.field == "co_issuers"


@pytest.mark.django_db
def test_issuing_jointly_needs_a_signing_leader_for_every_issuer(world, issuers):
    with pytest.raises(RuleViolation, match="各机关的签发领导"):
        _issue_joint(world, signers=None, signer=world.edu_leader)
    with pytest.raises(RuleViolation, match="一一对应（2个机关，1位领导）"):
        _issue_joint(world, signers=[world.edu_leader])
    with pytest.raises(RuleViolation, match="issuer 或 issuers"):
        _issue_joint(world, issuer=world.edu)


@pytest.mark.django_db
def test_the_co_issuer_sees_the_draft_and_finds_it_to_countersign(world, issuers):
    from docs_gen.inbox import document_inbox
    from docs_gen.selectors import documents_for

    document = _joint_draft(world)
    assert documents_for(world.hrss_handler).filter(pk=document.pk).exists()
    assert documents_for(world.hrss_leader).filter(pk=document.pk).count() == 1
    assert document_inbox(world.hrss_leader) == []  # not sent yet
    services.document_submit(document=document, actor=world.edu_handler)
    rows = document_inbox(world.hrss_leader)
    assert [(r.subject, r.status) for r in rows] == [(document.title, "待会签")]
    services.document_countersign(document=document, actor=world.hrss_leader)
    assert document_inbox(world.hrss_leader) == []
    # a school still sees nothing of it
    assert not documents_for(world.school_handler).filter(pk=document.pk).exists()


# --- the pages ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_joint_notice_through_the_pages(world, issuers, login):
    client = login(world.edu_handler)
    response = client.post(
        "/docs/new/",
        {
            "issuer": str(world.edu.public_id),
            "co_issuers": [str(world.hrss.public_id)],
            "kind": "notice",
            "title": "关于公布职技融通改革试点院校名单的通知",
            "addressees": "各县（市、区）教育局、人力社保局",
            "body": "现将试点院校名单公布如下。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = world.edu.issuer.documents.get()
    assert [c.issuer.unit for c in document.co_issuers.all()] == [world.hrss]
    page = client.get(f"/docs/{document.public_id}/edit/").content.decode()
    assert f'value="{world.hrss.public_id}"' in page and "checked" in page
    client.post(f"/docs/{document.public_id}/submit/")

    leader = login(world.hrss_leader)
    page = leader.get(f"/docs/{document.public_id}/").content.decode()
    assert "待会签" in page and "/countersign/" in page
    assert "/sign/" not in page
    leader.post(f"/docs/{document.public_id}/countersign/", {"opinion": "同意。"})

    lead = login(world.edu_leader)
    page = lead.get(f"/docs/{document.public_id}/").content.decode()
    assert "已会签" in page and "/sign/" in page
    lead.post(f"/docs/{document.public_id}/sign/")
    with _commit(execute=True):
        login(world.edu_handler).post(f"/docs/{document.public_id}/issue/")
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.number.startswith("台教发")


@pytest.mark.django_db
def test_the_page_refuses_an_early_sign_off_in_chinese(world, issuers, login):
    document = _joint_draft(world)
    client = login(world.edu_leader)
    page = client.get(f"/docs/{document.public_id}/").content.decode()
    assert "/sign/" not in page and "各联署机关分管领导会签后方可签发" in page
    response = client.post(f"/docs/{document.public_id}/sign/", follow=True)
    assert "尚未会签的机关：台州市人力资源和社会保障局" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


# --- the layout -----------------------------------------------------------------------------
def _joint_snapshot(names=(EDU, HRSS), **over):
    names = list(names)
    return snapshot(joint=names, mark=f"{names[0]}文件", issuer_name=names[0], **over)


@pytest.fixture(scope="module")
def joint_pdf():
    return render_pdf(_joint_snapshot())


def _open(pdf):
    return pdfplumber.open(io.BytesIO(pdf))


def _mark_lines(page):
    return _lines(page, red=_is_red)


def _seals(page):
    """The seals' rings: red circles about 42 mm across, left to right."""
    rings = [
        c for c in page.curves if _coloured(c) and c["width"] > 38 * MM and c["height"] > 38 * MM
    ]
    return sorted(rings, key=lambda c: c["x0"])


def _signature_page(pdf, date="2024年6月1日"):
    return next(p for p in pdf.pages if any(_text(ln) == date for ln in _lines(p)))


def test_the_joint_mark_stacks_the_names_with_wenjian_centred_beside_them(joint_pdf):
    with _open(joint_pdf) as pdf:
        page = pdf.pages[0]
        red = [c for c in page.chars if _is_red(c)]
        names = [[c for c in ln if c["text"] not in "文件"] for ln in _mark_lines(page)]
        names = [ln for ln in names if ln]
        assert [_text(ln) for ln in names] == [EDU, HRSS]  # the lead first
        suffix = [c for c in red if c["text"] in "文件"]
        assert _text(suffix) == "文件"
        # top edge 35 mm below the text block's top
        assert names[0][0]["top"] == pytest.approx(TEXT_TOP + 35 * MM, abs=TOL)
        # one size for the names, each spread to the same width (分散对齐)
        assert len({round(c["size"], 1) for ln in names for c in ln}) == 1
        for ln in names:
            assert ln[0]["x0"] == pytest.approx(names[1][0]["x0"], abs=0.5)
            assert ln[-1]["x1"] == pytest.approx(names[1][-1]["x1"], abs=0.5)
        assert names[1][0]["top"] > names[0][0]["bottom"]  # stacked, not overlapping
        # 文件 to the right of the names, vertically centred on the stack
        assert suffix[0]["x0"] > names[1][-1]["x1"]
        assert suffix[0]["size"] > names[0][0]["size"]
        stack_middle = (names[0][0]["top"] + names[-1][0]["bottom"]) / 2
        assert (suffix[0]["top"] + suffix[0]["bottom"]) / 2 == pytest.approx(stack_middle, abs=TOL)
        # the whole mark is centred on the text block and stays inside it
        left, right = min(c["x0"] for c in red), max(c["x1"] for c in red)
        assert (left + right) / 2 == pytest.approx(CENTRE, abs=TOL)
        assert left >= TEXT_LEFT and right <= TEXT_RIGHT


def test_a_joint_document_prints_one_number_the_leads(joint_pdf):
    with _open(joint_pdf) as pdf:
        numbers = [
            _text(ln)
            for page in pdf.pages
            for ln in _lines(page)
            if NUMBER_RE.match(_text(ln).replace(" ", ""))
        ]
        assert numbers == ["台教发〔2024〕3号"]
        page = pdf.pages[0]
        mark_bottom = max(c["bottom"] for c in page.chars if _is_red(c) and c["text"] != "文")
        number = next(ln for ln in _lines(page) if _text(ln) == "台教发〔2024〕3号")
        names_bottom = max(
            c["bottom"] for ln in _mark_lines(page) for c in ln if c["text"] not in "文件"
        )
        assert mark_bottom >= names_bottom
        assert number[0]["top"] - names_bottom == pytest.approx(2 * LINE, abs=TOL)


def test_each_issuer_has_its_seal_on_its_name_and_the_last_on_the_date(joint_pdf):
    with _open(joint_pdf) as pdf:
        page = _signature_page(pdf)
        seals = _seals(page)
        assert len(seals) == 2
        lines = {_text(ln): ln for ln in _lines(page)}
        date = lines["2024年6月1日"]
        row = next(ln for t, ln in lines.items() if EDU in t and HRSS in t)  # one line
        text = _text(row)
        lead, co = row[: len(EDU)], row[text.index(HRSS) :]
        assert _text(lead) == EDU and _text(co) == HRSS
        for seal, name in zip(seals, (lead, co), strict=True):
            # centred on its own name, which it presses (the name below the seal's centre)
            assert (seal["x0"] + seal["x1"]) / 2 == pytest.approx(
                (name[0]["x0"] + name[-1]["x1"]) / 2, abs=TOL
            )
            assert seal["top"] < name[0]["top"] < seal["bottom"]
            assert seal["x0"] >= TEXT_LEFT - 1 and seal["x1"] <= TEXT_RIGHT + 1
        # in one row, aligned, neither overlapping nor touching
        assert seals[0]["top"] == pytest.approx(seals[1]["top"], abs=0.5)
        assert seals[1]["x0"] - seals[0]["x1"] > 3 * MM
        # the names stand apart
        assert co[0]["x0"] - lead[-1]["x1"] >= 2 * 15.79 - 0.5
        # the last seal presses its name and the date; the date keeps its 4-character indent
        last = seals[-1]
        assert last["top"] < date[0]["top"] and date[-1]["bottom"] < last["bottom"]
        assert (last["x0"] + last["x1"]) / 2 == pytest.approx(
            (date[0]["x0"] + date[-1]["x1"]) / 2, abs=TOL
        )
        assert TEXT_RIGHT - date[-1]["x1"] == pytest.approx(4 * 15.79, abs=TOL)
        assert date[0]["top"] - row[0]["top"] == pytest.approx(LINE, abs=0.5)
        # the first row's top within one line of the text above it
        above = max(c["bottom"] for c in page.chars if c["bottom"] < row[0]["top"] - 1)
        assert seals[0]["top"] - above < LINE


@pytest.mark.parametrize(
    "names",
    [
        (HRSS, EDU),  # the long name leads
        (EDU, HRSS, "台州市财政局"),
        (EDU, HRSS, "台州市财政局", "台州市发展和改革委员会"),
    ],
)
def test_seals_of_more_issuers_go_in_aligned_rows_that_never_overlap(names):
    pdf = render_pdf(_joint_snapshot(names, body=two_page_body(2)))
    with _open(pdf) as doc:
        page = _signature_page(doc)
        seals = _seals(page)
        assert len(seals) == len(names)
        for a, b in itertools.combinations(seals, 2):
            apart_x = a["x1"] < b["x0"] or b["x1"] < a["x0"]
            apart_y = a["bottom"] < b["top"] or b["bottom"] < a["top"]
            assert apart_x or apart_y, (a["x0"], a["top"], b["x0"], b["top"])
        for seal in seals:
            assert seal["x0"] >= TEXT_LEFT - 1 and seal["x1"] <= TEXT_RIGHT + 1
        # rows share their tops, columns their centres
        tops = sorted({round(s["top"]) for s in seals})
        for top in tops:
            row = [s for s in seals if round(s["top"]) == top]
            assert len({round(s["top"], 1) for s in row}) == 1
        centres = sorted({round((s["x0"] + s["x1"]) / 2) for s in seals})
        assert len(centres) <= max(len([s for s in seals if round(s["top"]) == t]) for t in tops)
        # every name is printed once, under its own seal, in order
        red_free = [ln for ln in _lines(page) if not any(_is_red(c) for c in ln)]
        text = "".join(_text(ln) for ln in red_free)
        positions = [text.index(n) for n in names]
        assert positions == sorted(positions)
        # the date under the last seal
        date = next(ln for ln in _lines(page) if _text(ln) == "2024年6月1日")
        last = max(seals, key=lambda s: (round(s["top"]), s["x0"]))
        assert last["top"] < date[0]["top"] < last["bottom"]


def test_a_joint_draft_has_no_seals_but_keeps_the_names():
    pdf = render_pdf(_joint_snapshot(draft=True, number=""))
    with _open(pdf) as doc:
        page = _signature_page(doc)
        assert _seals(page) == []
        assert any(EDU in _text(ln) and HRSS in _text(ln) for ln in _lines(page))


def test_the_note_stays_clear_of_the_seals(joint_pdf):
    with _open(joint_pdf) as pdf:
        page = _signature_page(pdf)
        note = next(ln for ln in _lines(page) if _text(ln) == "（此件公开发布）")
        assert note[0]["x0"] == pytest.approx(TEXT_LEFT + 2 * 15.79, abs=TOL)
        for seal in _seals(page):
            assert seal["bottom"] < note[0]["top"] or seal["x0"] > note[-1]["x1"]


# --- under concurrency (PostgreSQL) ---------------------------------------------------------
def _race(*calls):
    """Run the calls in threads released together; their results or exceptions, in order."""
    import threading

    from django.db import close_old_connections, connection

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_leaders_of_the_co_issuer_countersign_at_once_one_wins(world_tx):
    from tests.factories import member
    from workflows.models import Role

    second = member(world_tx.hrss, Role.LEADER)
    document = _joint_draft(world_tx)
    services.document_submit(document=document, actor=world_tx.edu_handler)
    results = _race(
        lambda: services.document_countersign(document=document, actor=world_tx.hrss_leader),
        lambda: services.document_countersign(document=document, actor=second),
    )
    won = [r for r in results if isinstance(r, CoIssuer)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "已由" in lost[0].message
    assert AuditEntry.objects.for_object(document).filter(action="docs.countersign").count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_edit_and_a_countersignature_at_once_never_leave_a_stale_approval(world_tx):
    """The co-issuer approves one text: when the lead's staff edit the draft while its leader
    countersigns, either the edit comes after and voids the countersignature, or it came
    first and the countersignature is of the edited text."""
    edited = [*BODY, {"type": "paragraph", "text": "特此通知。"}]
    for _round in range(3):
        document = _joint_draft(world_tx)
        results = _race(
            lambda d=document: services.document_countersign(
                document=d, actor=world_tx.hrss_leader
            ),
            lambda d=document, body=edited: services.document_update(
                document=d,
                actor=world_tx.edu_handler,
                kind="notice",
                title=d.title,
                addressees=d.addressees,
                body=body,
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        co = CoIssuer.objects.get(document=document)
        update = AuditEntry.objects.for_object(document).get(action="docs.update")
        sign = AuditEntry.objects.for_object(document).get(action="docs.countersign")
        if sign.pk < update.pk:  # countersigned first: the edit voided it
            assert co.countersigned_at is None and "会签作废" in update.note
        else:
            assert co.countersigned_at is not None and not update.note


@pytest.mark.django_db
def test_the_admin_shows_the_co_issuers_read_only(world, issuers, login, admin_user):
    document = _joint_draft(world)
    page = login(admin_user).get(f"/admin/docs_gen/officialdocument/{document.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "台州市人力资源和社会保障局（台人社）" in text and "co_issuers-0-issuer" not in text


@pytest.mark.django_db
def test_a_joint_document_carries_one_signature_per_issuer_in_order(world, issuers):
    from docs_gen import signing

    document = _issue_joint(world)
    document.refresh_from_db()
    check = signing.verify_pdf(document.pdf.open("rb").read())
    assert [s.signer for s in check.signatures] == ["台州市教育局", "台州市人力资源和社会保障局"]
    assert all(s.ok for s in check.signatures)


@pytest.mark.django_db
def test_a_procedures_joint_value_is_previewed_with_both_names_and_issued_with_both_leaders(
    world, issuers
):
    from docs_gen.values import DocumentValue

    value = DocumentValue(
        kind="notice",
        issuer=world.edu,
        co_issuers=(world.hrss,),
        title="台州市教育局 台州市人力资源和社会保障局关于公布职技融通改革试点院校名单的通知",
        addressees=("各县（市、区）教育局、人力社保局",),
        body=tuple(BODY),
    )
    preview = services.document_preview_snapshot(value)
    assert preview["joint"] == ["台州市教育局", "台州市人力资源和社会保障局"]
    with pytest.raises(RuleViolation, match="一一对应"):
        services.document_issue_value(value, actor=world.edu_leader)
    with _commit(execute=True):
        document = services.document_issue_value(
            value, actor=world.edu_leader, co_signers=[world.hrss_leader]
        )
    assert document.number.startswith("台教发") and document.co_issuers.count() == 1
