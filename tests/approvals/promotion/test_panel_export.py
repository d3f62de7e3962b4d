"""The review committees' result sheet (.xlsx): counts only, for the leading group, its
office and the organising bureau; anyone else 404."""

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from .conftest import applied, form_panel, open_session, to_panel, vote

pytestmark = pytest.mark.django_db


def test_the_panel_result_sheet_has_the_counts_of_each_tallied_committee(
    world, people, experts, login
):
    app = applied(people["technician"])
    to_panel(world, app, world.technical_head)
    pool = experts["pool"]
    form_panel(world, app, pool[:7])
    open_session(world, app, pool[:6])
    for user, choice in zip(pool[:6], ["yes", "yes", "yes", "no", "no", "abstain"], strict=True):
        vote(app, user, choice)
    response = login(world.hrss_handler).get("/promotion/panels.xlsx")
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content))["评审结果"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["申请", "申请人", "所在学校", "申报方向"]
    row = dict(zip(head, [c.value for c in sheet[2]], strict=True))
    assert row["申请"] == app.title and row["所在学校"] == world.technical_school.name
    assert row["申请人"] == "林师傅"
    assert (row["委员人数"], row["出席人数"]) == (7, 6)
    assert (row["同意"], row["不同意"], row["弃权"], row["通过所需票数"]) == (3, 2, 1, 4)
    assert row["评审结果"] == "未通过"
    assert sheet.max_row == 2
    # the leading group's office reads it too; a school, the education bureau do not
    assert login(world.office_handler, Client()).get("/promotion/panels.xlsx").status_code == 200
    for outsider in (world.technical_head, world.edu_handler):
        assert login(outsider, Client()).get("/promotion/panels.xlsx").status_code == 404


def test_the_task_page_offers_the_sheet_to_the_organising_bureau_only(world, login):
    link = "/promotion/panels.xlsx"
    assert link in login(world.hrss_handler).get("/tasks/17/").content.decode()
    body = login(world.school_handler, Client()).get("/tasks/17/").content.decode()
    assert link not in body
