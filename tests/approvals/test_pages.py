"""The applicant portal and the reviewers' pages, driven through HTTP."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from approvals.common.attachments import MAX_ATTACHMENT_BYTES
from approvals.common.models import Application, ApplicationStatus, Attachment
from tests.approvals.conftest import PDF, PNG, decide, draft, form_data, submitted, to_publicity

pytestmark = pytest.mark.django_db


def url(name, app, *more):
    return reverse(f"applications:{name}", args=[app.public_id, *more])


def test_a_school_handler_creates_a_draft_with_a_file_from_the_form(world, login):
    client = login(world.school_handler)
    page = client.get(reverse("applications:new", args=["dual_plaque"]))
    assert page.status_code == 200
    assert "技师学院" in page.content.decode()
    response = client.post(
        reverse("applications:new", args=["dual_plaque"]),
        {**form_data(), "action": "save", "files": [SimpleUploadedFile("报告.pdf", PDF)]},
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == url("edit", app)
    assert app.attachments.get().original_name == "报告.pdf"
    assert app.dual_plaque.plaque_name == "台州市第一技师学院（加挂）"


def test_a_failed_validation_keeps_everything_typed_and_names_the_field(world, login):
    client = login(world.school_handler)
    typed = form_data(reason="太短", contact_phone="abc")
    response = client.post(
        reverse("applications:new", args=["dual_plaque"]),
        {**typed, "action": "save", "files": [SimpleUploadedFile("a.png", PNG)]},
    )
    body = response.content.decode()
    assert response.status_code == 200  # kept as a draft
    assert "「申请理由」至少 20 个字" in body
    assert "「联系电话」应为 7–20 位数字" in body
    app = Application.objects.get()
    assert app.draft_data["reason"] == "太短"
    assert app.draft_data["conditions"] == typed["conditions"]
    assert app.attachments.count() == 1  # the valid file is kept too
    # coming back later, the form shows what was typed
    again = client.get(url("edit", app)).content.decode()
    assert typed["conditions"] in again


def test_an_executable_renamed_to_pdf_is_refused(world, login):
    app = draft(world)
    client = login(world.school_handler)
    exe = SimpleUploadedFile("申请报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    body = client.post(
        url("edit", app), {**form_data(), "action": "save", "files": [exe]}
    ).content.decode()
    assert "不是 PDF、JPG 或 PNG 文件（按文件内容识别" in body
    assert app.attachments.count() == 1


def test_an_oversized_file_is_refused_with_the_limit_named(world, login):
    app = draft(world)
    client = login(world.school_handler)
    big = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF)))
    body = client.post(
        url("edit", app), {**form_data(), "action": "save", "files": [big]}
    ).content.decode()
    assert "超过单个附件 20 MB 的上限" in body
    assert app.attachments.count() == 1


def test_files_are_stored_under_generated_names_and_downloaded_as_attachments(
    world, login, settings
):
    app = draft(world)
    attachment = app.attachments.get()
    assert "申请报告" not in attachment.stored_name
    assert (settings.MEDIA_ROOT / "approvals" / attachment.stored_name).exists()
    response = login(world.school_handler).get(url("file", app, attachment.public_id))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_the_autosave_keeps_typed_values_server_side(world, login):
    app = draft(world)
    client = login(world.school_handler)
    response = client.post(url("autosave", app), {**form_data(), "reason": "还在写……"})
    assert response.status_code == 200 and "saved_at" in response.json()
    app.refresh_from_db()
    assert app.draft_data["reason"] == "还在写……"


def test_an_unfitting_plaque_is_refused_on_the_page_citing_task_2(world, login):
    client = login(world.school_head)
    response = client.post(
        reverse("applications:new", args=["dual_plaque"]),
        {
            **form_data(plaque_kind="vocational"),
            "action": "submit",
            "files": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )
    body = response.content.decode()
    assert "重点任务第2项" in body and "只能申请加挂技师学院、高级技工学校牌子" in body
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_the_bureau_reviews_on_the_detail_page_and_sees_its_inbox(world, login):
    app = submitted(world)
    client = login(world.hrss_handler)
    inbox = client.get(reverse("workbench:inbox")).content.decode()
    assert app.title in inbox
    page = client.get(url("detail", app)).content.decode()
    assert "提交审核结论" in page
    missing = client.post(
        url("decide", app), {"decision": "return", "opinion": "", "version": app.version}
    )
    assert "「审核意见」必填" in missing.content.decode()
    done = client.post(url("decide", app), {"decision": "approve", "version": app.version})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.current_step == "cosign"
    edu_inbox = login(world.edu_handler).get(reverse("workbench:inbox")).content.decode()
    assert edu_inbox.count(app.title) == 1  # one row for the joint sign-off, not two


def test_a_second_submit_of_the_same_step_answers_409(world, login):
    app = submitted(world)
    client = login(world.hrss_handler)
    data = {"decision": "approve", "version": app.version}
    assert client.post(url("decide", app), data).status_code == 302
    assert client.post(url("decide", app), data).status_code == 409


def test_the_public_notice_takes_an_objection_and_the_bureau_handles_it(world, client, login):
    app = to_publicity(world)
    notice = app.latest_notice
    page = reverse("public_notice", args=[notice.public_id])
    assert client.get(page).status_code == 200
    bad = client.post(page, {"name": "李某", "contact": "", "reason": "短"}).content.decode()
    assert "「联系方式」为必填项" in bad and "「异议理由」至少 10 个字" in bad
    ok = client.post(
        page, {"name": "李某", "contact": "13800000000", "reason": "实训工位数量与实际不符。"}
    )
    assert "异议已提交" in ok.content.decode()
    objection = notice.objections.get()
    reviewer = login(world.hrss_head)
    assert "处理公示异议" in reviewer.get(reverse("workbench:inbox")).content.decode()
    reviewer.post(
        url("objection_handle", app, objection.public_id),
        {"outcome": "dismissed", "note": "经核查，工位数量属实。"},
    )
    objection.refresh_from_db()
    assert objection.status == "dismissed"


def test_the_reply_preview_and_issue(world, login):
    from approvals.common import services

    app = to_publicity(world)
    notice = app.latest_notice
    services.public_notice_close_if_due(
        notice_id=notice.pk, today=notice.ends_on + __import__("datetime").timedelta(days=1)
    )
    app.refresh_from_db()
    handler = login(world.hrss_handler)
    handler_view = handler.get(url("preview", app)).content.decode()
    assert "签发批复</button>" not in handler_view
    # the preview is docs_gen's own draft rendering (the same renderer as the PDF)
    draft = handler.get(url("preview", app) + "?format=html").content.decode()
    assert "此复。" in draft and "牌子的批复" in draft
    pdf = handler.get(url("preview", app) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert login(world.school_head, Client()).get(url("preview", app)).status_code == 404
    head_view = login(world.hrss_head, Client()).get(url("preview", app)).content.decode()
    assert "签发批复</button>" not in head_view  # 签发 is the leader's act
    client = login(world.hrss_leader, Client())
    preview = client.get(url("preview", app)).content.decode()
    assert "签发批复</button>" in preview
    assert client.post(url("issue", app), {"version": app.version}).status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    task2 = client.get(reverse("tasks:detail", args=[2])).content.decode()
    assert "台州市第一技师学院（加挂）" in task2
    # the school opens its reply; another school cannot
    school = login(world.school_handler, Client())
    detail = school.get(url("detail", app)).content.decode()
    assert app.document.number in detail
    doc_url = reverse("docs:detail", args=[app.document.public_id])
    assert school.get(doc_url).status_code == 200
    assert school.get(reverse("docs:pdf", args=[app.document.public_id])).status_code == 200
    assert login(world.other_school_handler, Client()).get(doc_url).status_code == 404


def test_the_portal_lists_only_the_schools_own_applications(world, login):
    mine = draft(world)
    theirs = draft(world, school=world.other_school, handler=world.other_school_handler)
    body = login(world.school_handler).get(reverse("applications:index")).content.decode()
    assert str(mine.public_id) in body and str(theirs.public_id) not in body


def test_bureaus_do_not_see_drafts_nor_applications_not_routed_to_them(world, login):
    app = draft(world)
    assert login(world.hrss_handler).get(url("detail", app)).status_code == 404
    services_submit = submitted(world, plaque_kind="senior_technical", plaque_name="高级技工学校")
    assert login(world.edu_handler).get(url("detail", services_submit)).status_code == 404
    assert login(world.hrss_handler).get(url("detail", services_submit)).status_code == 200
    assert login(world.office_handler).get(url("detail", services_submit)).status_code == 200


ID_URLS = [
    ("detail", "get"),
    ("edit", "get"),
    ("edit", "post"),
    ("autosave", "post"),
    ("submit", "post"),
    ("withdraw", "post"),
    ("decide", "post"),
    ("preview", "get"),
    ("print", "get"),
    ("issue", "post"),
]


@pytest.mark.parametrize(("name", "method"), ID_URLS)
def test_another_school_gets_404_on_every_application_url(world, login, name, method):
    app = to_publicity(world)
    client = login(world.other_school_handler)
    response = getattr(client, method)(url(name, app))
    assert response.status_code == 404


def test_another_school_gets_404_on_attachment_and_objection_urls(world, login):
    app = to_publicity(world)
    attachment = app.attachments.get()
    from approvals.common import services

    objection = services.objection_lodge(
        notice=app.latest_notice, name="李某", contact="1380000", reason="理由理由理由理由理由"
    )
    client = login(world.other_school_head)
    assert client.get(url("file", app, attachment.public_id)).status_code == 404
    assert client.post(url("file_delete", app, attachment.public_id)).status_code == 404
    assert (
        client.post(url("objection_handle", app, objection.public_id), {"note": "x"}).status_code
        == 404
    )
    # and a real application id with another application's attachment id
    own = draft(world, school=world.other_school, handler=world.other_school_handler)
    assert client.get(url("file", own, attachment.public_id)).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    decide  # noqa: B018 - imported for other modules


def test_the_school_withdraws_from_the_detail_page(world, login):
    app = submitted(world)
    client = login(world.school_handler)
    assert "撤回申请" in client.get(url("detail", app)).content.decode()
    client.post(url("withdraw", app), {"version": app.version})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN
    assert client.post(url("withdraw", app), {"version": app.version}).status_code == 409


def test_the_detail_page_stays_within_a_query_budget(world, login, django_assert_max_num_queries):
    app = to_publicity(world)
    client = login(world.hrss_handler)
    with django_assert_max_num_queries(20):
        assert client.get(url("detail", app)).status_code == 200


def test_the_schools_portal_shows_its_second_plaque(world, login):
    from approvals.dual_plaque.models import SchoolPlaque

    app = submitted(world)
    SchoolPlaque.objects.create(
        school=world.school,
        kind="technician_college",
        name="台州市第一技师学院",
        application=app,
        approved_at=app.submitted_at,
    )
    body = login(world.school_handler).get(reverse("applications:index")).content.decode()
    assert "已加挂“台州市第一技师学院”牌子（技师学院" in body
    other = login(world.other_school_handler).get(reverse("applications:index")).content.decode()
    assert "已加挂" not in other


def test_the_school_does_not_see_who_objected_nor_their_contact(world, login):
    from approvals.common import services

    app = to_publicity(world)
    services.objection_lodge(
        notice=app.latest_notice, name="异议人甲", contact="13912345678", reason="理由" * 6
    )
    school_view = login(world.school_head).get(url("detail", app)).content.decode()
    assert "理由理由" in school_view
    assert "异议人甲" not in school_view and "13912345678" not in school_view
    bureau_view = login(world.hrss_handler).get(url("detail", app)).content.decode()
    assert "异议人甲" in bureau_view and "13912345678" in bureau_view


def test_the_409_pages_refresh_link_leads_back_to_the_application(world, login):
    app = submitted(world)
    client = login(world.hrss_handler)
    data = {"decision": "approve", "version": app.version}
    client.post(url("decide", app), data)
    conflict = client.post(url("decide", app), data)
    assert conflict.status_code == 409
    back = client.get(url("decide", app))
    assert back.status_code == 302 and back.url == url("detail", app)
    assert login(world.other_school_handler).get(url("decide", app)).status_code == 404


def test_the_409_page_keeps_the_opinion_that_was_typed(world, login):
    from tests.approvals.conftest import submitted as _submitted

    app = _submitted(world)
    stale = app.version
    decide(app, world.hrss_handler)
    client = login(world.hrss_head)
    response = client.post(
        url("decide", app),
        {"decision": "return", "opinion": "请补充实训基地照片。", "version": stale},
    )
    assert response.status_code == 409
    assert "请补充实训基地照片。" in response.content.decode()


def test_a_decision_says_what_happened_and_none_is_preselected(world, login):
    from tests.approvals.conftest import submitted as _submitted

    app = _submitted(world)
    client = login(world.hrss_handler)
    page = client.get(url("detail", app)).content.decode()
    radios = re.findall(r'<input type="radio"[^>]*>', page)
    assert len(radios) == 3 and not any("checked" in r for r in radios)
    done = client.post(
        url("decide", app),
        {"decision": "return", "opinion": "请补充材料。", "version": app.version},
        follow=True,
    )
    assert "已退回台州市第一中等职业学校修改。" in done.content.decode()


def test_the_menu_says_my_applications_to_applicants_and_approvals_to_reviewers(world, login):
    from django.test import Client as _Client

    school = login(world.school_handler, _Client()).get(reverse("applications:index"))
    bureau = login(world.hrss_handler, _Client()).get(reverse("applications:index"))
    assert ">我的申请<" in school.content.decode().replace("\n", "")
    menu = bureau.content.decode()
    assert "审批事项" in menu and ">我的申请</" not in menu.replace(" ", "")


def test_the_handler_edits_the_reply_and_the_leader_signs_what_the_handler_wrote(world, login):
    import datetime as _dt

    from approvals.common import services as kernel
    from docs_gen import services as docs

    app = to_publicity(world)
    notice = app.latest_notice
    kernel.public_notice_close_if_due(
        notice_id=notice.pk, today=notice.ends_on + _dt.timedelta(days=1)
    )
    app.refresh_from_db()
    draft = app.document
    assert draft is not None and draft.status == "draft"  # the procedure's text, as a draft
    assert "此复。" in str(draft.body)
    handler = login(world.hrss_handler, Client())
    assert "修改文稿" in handler.get(url("preview", app)).content.decode()
    leader = login(world.hrss_leader, Client())
    page_seen = leader.get(url("preview", app)).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page_seen).group(1)
    # the handler edits after the leader opened the page: the leader's 签发 is refused
    body = [
        *draft.body[:-1],
        {"type": "paragraph", "text": "请于2027年1月底前完成挂牌。"},
        draft.body[-1],
    ]
    docs.document_update(
        document=draft,
        actor=world.hrss_handler,
        kind=draft.kind,
        title=draft.title,
        addressees=draft.addressees,
        body=body,
        cc=draft.cc,
    )
    stale = leader.post(url("issue", app), {"version": app.version, "digest": digest})
    assert stale.status_code == 409 and "文稿在您核对后已被修改" in stale.content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PUBLICITY or app.current_step == "issue_reply"
    fresh = leader.get(url("preview", app)).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', fresh).group(1)
    assert (
        leader.post(url("issue", app), {"version": app.version, "digest": digest}).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED and app.document.pk == draft.pk
    assert "请于2027年1月底前完成挂牌。" in str(app.document.body) and app.document.number


def test_the_approval_form_prints_every_opinion_on_one_page(world, login):
    import io

    import pdfplumber

    app = to_publicity(world)
    response = login(world.hrss_handler).get(url("print", app))
    assert response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "双挂牌申请审批表" in text
    for unit in ("市人力社保局", "市教育局", "领导小组"):
        assert unit in text
    assert "公示期" in text and "台州市第一技师学院（加挂）" in text
    assert login(world.other_school_handler, Client()).get(url("print", app)).status_code == 404
