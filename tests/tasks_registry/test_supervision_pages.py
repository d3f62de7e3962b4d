"""The supervision pages, driven as the office, a bureau and two schools would drive them."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tasks_registry.models import Branch, ProgressReport, ReportAttachment
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.attachment_samples import good_pdf, good_png
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.inbox import inbox_rows

pytestmark = pytest.mark.django_db

PDF = good_pdf()


@pytest.fixture
def sup(world):
    return dispatch(world, 15)  # 市人力社保局，职业院校 (s01..s05)


def _url(branch, action=""):
    return f"/tasks/branches/{branch.public_id}/" + (f"{action}/" if action else "")


def test_the_office_dispatches_a_task_from_its_page(world, login):
    client = login(world.office_handler)
    page = client.get("/tasks/2/")
    assert "下达督办任务" in page.content.decode()
    response = client.post(
        "/tasks/2/dispatch/",
        {
            "start_date": "2026-03-01",
            "deadline": "2026-02-01",
            "cycle_months": 1,
            "requirements": "按月报送",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and "完成时限须晚于下达日期" in body
    assert "按月报送" in body  # nothing typed is lost
    response = client.post(
        "/tasks/2/dispatch/",
        {"start_date": "2026-03-01", "deadline": "2026-12-31", "cycle_months": 1},
    )
    assert response.status_code == 302
    assert Branch.objects.filter(supervision__task__number=2).count() == 14


def test_a_school_cannot_dispatch(world, login):
    response = login(world.school_handler).post(
        "/tasks/2/dispatch/",
        {"start_date": "2026-03-01", "deadline": "2026-12-31", "cycle_months": 1},
    )
    assert response.status_code == 403


def test_a_school_handler_acknowledges_and_reports_with_an_attachment(world, sup, login):
    branch = branch_of(sup, world.school)
    client = login(world.school_handler)
    assert "签收任务" in client.get(_url(branch)).content.decode()
    assert client.post(_url(branch, "acknowledge")).status_code == 302
    upload = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    response = client.post(
        _url(branch, "report"), {"text": "完成调研", "percent": "35", "files": [upload]}
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(branch=branch)
    assert (report.percent, report.text, report.author) == (35, "完成调研", world.school_handler)
    attachment = ReportAttachment.objects.get(report=report)
    download = client.get(f"/tasks/attachments/{attachment.public_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_bad_percent_is_refused_naming_the_field_and_keeps_the_text(world, sup, login):
    branch = branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)
    response = login(world.school_handler).post(
        _url(branch, "report"), {"text": "写了很多字的进展", "percent": "120"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "完成进度：须为0至100之间的整数" in body and "写了很多字的进展" in body


def test_another_school_gets_404_on_every_url_of_a_branch(world, sup, login):
    branch = branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)
    report = progress_report_submit(
        branch=branch,
        actor=world.school_handler,
        text="x",
        percent=10,
        files=[SimpleUploadedFile("a.png", good_png())],
    )
    attachment = report.attachments.get()
    outsider = login(world.other_school_handler)
    assert outsider.get(_url(branch)).status_code == 404
    for action in ("acknowledge", "claim", "assign", "report", "done", "urge"):
        assert (
            outsider.post(
                _url(branch, action), {"text": "x", "percent": 1, "summary": "x", "message": "x"}
            ).status_code
            == 404
        ), action
    assert outsider.get(f"/tasks/attachments/{attachment.public_id}/").status_code == 404
    # a bureau that does not lead the task sees nothing of a school's branch either
    assert login(world.edu_handler).get(_url(branch)).status_code == 404
    assert ProgressReport.objects.filter(branch=branch).count() == 1


def test_the_task_page_shows_a_school_only_its_own_branch(world, sup, login):
    body = login(world.school_handler).get("/tasks/15/").content.decode()
    assert world.school.name in body
    assert world.other_school.name not in body


def test_the_lead_bureau_and_the_office_see_every_branch(world, sup, login):
    for user in (world.hrss_handler, world.office_handler, world.leader):
        body = login(user).get("/tasks/15/").content.decode()
        assert world.school.name in body and world.other_school.name in body
    branch = branch_of(sup, world.school)
    assert login(world.hrss_handler).get(_url(branch)).status_code == 200
    # seeing is not acting: the lead bureau cannot report for a school
    branch_acknowledge(branch=branch, actor=world.school_handler)
    response = login(world.hrss_handler).post(_url(branch, "report"), {"text": "x", "percent": 5})
    assert response.status_code == 403


def test_a_second_acknowledgement_over_http_is_a_409_with_a_message(world, sup, login):
    branch = branch_of(sup, world.school)
    assert login(world.school_handler).post(_url(branch, "acknowledge")).status_code == 302
    response = login(world.school_head).post(_url(branch, "acknowledge"))
    assert response.status_code == 409
    assert "不能签收" in response.content.decode()


def test_the_head_assigns_and_the_office_urges(world, sup, login):
    branch = branch_of(sup, world.school)
    response = login(world.school_head).post(
        _url(branch, "assign"), {"assignee": str(world.school_handler.pk)}
    )
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.assignee == world.school_handler
    assert (
        login(world.school_handler)
        .post(_url(branch, "assign"), {"assignee": str(world.school_head.pk)})
        .status_code
        == 403
    )
    response = login(world.office_handler).post(_url(branch, "urge"), {"message": "请本周内报送"})
    assert response.status_code == 302
    assert world.school_handler.notifications.filter(title__startswith="催办").exists()
    assert "请本周内报送" in login(world.office_handler).get("/tasks/15/").content.decode()
    assert login(world.school_head).post(_url(branch, "urge"), {"message": "x"}).status_code == 403


def test_pending_branch_steps_are_in_the_units_inbox(world, sup, login):
    rows = inbox_rows(world.school_handler)
    assert [r.status for r in rows] == ["待签收"]
    assert rows[0].url == _url(branch_of(sup, world.school))
    assert inbox_rows(world.other_school_handler)[0].unit == world.other_school.name
    assert inbox_rows(world.technical_handler) == []  # 技工学校 is not named in row 15
    page = login(world.school_handler).get("/workbench/inbox/")
    assert "签收督办任务" in page.content.decode()


def test_the_dashboard_is_for_the_leading_group_and_office(world, sup, login):
    assert login(world.school_handler).get("/dashboard/").status_code == 403
    body = login(world.leader).get("/dashboard/").content.decode()
    assert "重点任务督办总览" in body and "<svg" in body and "cdn" not in body.lower()


def test_the_dashboard_filters_by_unit_and_status(world, sup, login):
    client = login(world.office_handler)
    body = client.get(f"/dashboard/?unit={world.school.public_id}").content.decode()
    assert 'data-task="15"' in body and 'data-task="16"' not in body
    body = client.get("/dashboard/?status=pending").content.decode()
    assert 'data-task="15"' not in body and 'data-task="16"' in body


def test_the_dashboard_query_count_does_not_grow_with_the_number_of_processes(
    world, login, django_assert_max_num_queries
):
    client = login(world.office_handler)
    dispatch(world, 15)
    client.get("/dashboard/")  # warm caches (content types, sessions)
    with django_assert_max_num_queries(20) as few:
        client.get("/dashboard/")
    for number in (1, 2, 3, 4, 5, 7, 9, 10, 12, 14):
        dispatch(world, number)
    # the first view after the dispatches recounts the units' on-time figures that they
    # made stale: their branches read, then per 200 units their free rows locked (SKIP
    # LOCKED) and written, in a transaction of their own (a savepoint here, in the test's)
    with django_assert_max_num_queries(len(few.captured_queries) + 5):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get("/dashboard/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_task_page_and_inbox_stay_within_the_query_budget(
    world, sup, login, django_assert_max_num_queries
):
    client = login(world.office_handler)
    client.get("/tasks/15/")
    with django_assert_max_num_queries(20):
        assert client.get("/tasks/15/").status_code == 200
    school = login(world.school_handler)
    school.get("/workbench/inbox/")
    with django_assert_max_num_queries(20):
        assert school.get("/workbench/inbox/").status_code == 200


def test_the_ledger_has_a_sheet_of_tasks_and_a_sheet_of_branches(world, sup, login):
    response = login(world.office_handler).get("/dashboard/ledger.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["任务", "分支"]
    tasks, branches = book["任务"], book["分支"]
    assert tasks.max_row == 18 and tasks["A2"].value == 1
    assert branches.max_row == 1 + sup.branches.count()
    assert login(world.school_handler).get("/dashboard/ledger.xlsx").status_code == 403


def test_the_bulletin_is_docs_gen_blocks_and_an_html_preview(world, sup, login):
    from tasks_registry.exports import bulletin_blocks

    data = bulletin_blocks()
    assert "通报" in data["title"]
    kinds = {b["type"] for b in data["blocks"]}
    assert kinds == {"paragraph", "heading", "table"}
    for block in data["blocks"]:
        if block["type"] == "heading":
            assert 1 <= block["level"] <= 4 and block["text"]
        if block["type"] == "table":
            assert all(len(row) == len(block["header"]) for row in block["rows"])
            assert all(isinstance(c, str) for row in block["rows"] for c in row)
    body = login(world.leader).get("/dashboard/bulletin/").content.decode()
    assert data["title"] in body
    assert login(world.school_handler).get("/dashboard/bulletin/").status_code == 403


def test_the_scoring_page_ranks_units(world, sup, login):
    body = login(world.leader).get("/dashboard/scoring/").content.decode()
    assert "责任单位考核排名" in body and world.school.name in body
    assert login(world.edu_head).get("/dashboard/scoring/").status_code == 403
