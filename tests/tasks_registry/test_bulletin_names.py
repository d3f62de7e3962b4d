"""The bulletin and the dashboard show every key task's whole name; dates do not wrap."""

import re

import pytest

from docs_gen.rendering import render_html
from tasks_registry.exports import bulletin_blocks
from tasks_registry.models import KeyTask
from tests.tasks_registry.supervision_helpers import dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def sup(world):
    return dispatch(world, 15)


def _long_task():
    task = next(t for t in KeyTask.objects.order_by("number") if len(t.content) > 30)
    return task


def test_the_bulletin_page_shows_whole_task_names_and_unwrapped_dates(world, sup, login):
    task = _long_task()
    body = login(world.leader).get("/dashboard/bulletin/").content.decode()
    assert task.content in body
    assert task.short_title not in body  # the name cut with "…" is gone
    deadline = f"{sup.deadline:%Y-%m-%d}"
    assert re.search(rf'<td data-label="时限" class="sv-nowrap">{deadline}</td>', body)
    # the name's cell may wrap
    assert re.search(r'<td data-label="任务">[^<]{31,}</td>', body)


def test_the_bulletin_document_keeps_whole_names_and_its_dates_on_one_line(world, sup):
    task = _long_task()
    data = bulletin_blocks()
    tables = [b for b in data["blocks"] if b["type"] == "table" and b["header"][1] == "任务"]
    names = [row[1] for t in tables for row in t["rows"]]
    assert task.content in names and not any(n.endswith("…") for n in names)
    html = render_html(
        {"title": data["title"], "body": data["blocks"], "mark": "台州市人民政府办公室文件"}
    )
    deadline = f"{sup.deadline:%Y-%m-%d}"
    assert f'<td class="nw">{deadline}</td>' in html
    assert "table.grid td.nw { white-space: nowrap; }" in html


def test_the_dashboard_shows_whole_task_names(world, sup, login):
    task = _long_task()
    body = login(world.leader).get("/dashboard/").content.decode()
    assert task.content in body
    assert task.short_title not in body
