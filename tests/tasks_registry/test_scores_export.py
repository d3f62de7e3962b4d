"""The supervision scoring (单位考核) as .xlsx: the page's ranking and numbers, filtered
the same way; supervisors only; a bad parameter is a 400 naming the field."""

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from tasks_registry.selectors import unit_scores
from tests.tasks_registry.supervision_helpers import branch_of, dispatch, finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def sup(world):
    sup = dispatch(world, 15)
    finish(branch_of(sup, world.school), world.school_handler)
    return sup


def test_the_scores_workbook_matches_the_ranking(world, sup, login):
    client = login(world.leader)
    page = client.get("/dashboard/scoring/").content.decode()
    assert "/dashboard/scoring.xlsx" in page
    response = client.get("/dashboard/scoring.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content))["单位考核"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["排名", "单位", "单位类别", "得分"]
    scores = unit_scores()
    for rank, score in enumerate(scores, start=1):
        row = dict(zip(head, [c.value for c in sheet[rank + 1]], strict=True))
        assert row["排名"] == rank and row["单位"] == score.unit.name
        assert row["得分"] == score.score and isinstance(row["得分"], int)
        assert row["事项数"] == score.branches and row["已完成"] == score.done
        assert row["逾期"] == score.overdue and row["被退回"] == score.returns
    done = next(
        dict(zip(head, [c.value for c in r], strict=True))
        for r in sheet.iter_rows(min_row=2)
        if r[1].value == world.school.name
    )
    assert done["已完成"] == 1 and done["单位类别"] == "学校"


def test_the_scores_workbook_is_filtered_like_the_page(world, sup, login):
    response = login(world.office_handler).get("/dashboard/scoring.xlsx?kind=bureau")
    sheet = load_workbook(BytesIO(response.content))["单位考核"]
    kinds = {r[2].value for r in sheet.iter_rows(min_row=2) if r[0].value not in (None, "说明")}
    assert kinds == {"市级部门"}


def test_a_bad_kind_is_a_400_naming_the_field_and_others_may_not_export(world, sup, login):
    response = login(world.leader).get("/dashboard/scoring.xlsx?kind=robots")
    assert response.status_code == 400
    assert "「单位类别」请从列表中选择。" in response.content.decode()
    page = login(world.leader).get("/dashboard/scoring/?kind=robots")
    assert page.status_code == 400
    assert login(world.school_handler, Client()).get("/dashboard/scoring.xlsx").status_code == 403
