"""The 17 key tasks are the plan's annex, verbatim, with the right responsible units."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tasks_registry.annex import PLAN_TEXT_PATH, load_plan_annex
from tasks_registry.models import KeyTask

SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_241deecf59c4d48c.txt"


def _squashed_annex() -> str:
    text = PLAN_TEXT_PATH.read_text(encoding="utf-8")
    annex = text[text.index("职技融通改革实施方案重点任务清单") : text.index("抄送：")]
    return re.sub(r"\s+", "", annex)


def test_the_project_keeps_the_plan_text_it_was_given():
    if not SHARED_SEED.exists():
        pytest.skip("shared/seed is not beside this checkout")
    assert PLAN_TEXT_PATH.read_bytes() == SHARED_SEED.read_bytes()


def test_every_row_is_in_the_annex_text_in_order():
    annex = _squashed_annex()
    position = 0
    rows = load_plan_annex()
    assert [r.number for r in rows] == list(range(1, 18))
    for row in rows:
        found = annex.find(row.content, position)
        assert found >= 0, f"row {row.number} content not in the annex text"
        units_at = annex.find(row.responsible, found + len(row.content))
        assert units_at == found + len(row.content), f"row {row.number} units do not follow it"
        position = units_at


def test_measures_follow_the_annex():
    measures = {r.number: r.measure for r in load_plan_annex()}
    assert {measures[n] for n in range(1, 5)} == {"建立职技融通管理体制"}
    assert {measures[n] for n in range(5, 9)} == {"理顺职技融通运行机制"}
    assert {measures[n] for n in range(9, 14)} == {"完善职技融通培养机制"}
    assert {measures[n] for n in range(14, 18)} == {"保障措施"}


def test_loaded_rows_equal_the_plan(world):
    rows = {r.number: r for r in load_plan_annex()}
    tasks = list(KeyTask.objects.all())
    assert len(tasks) == 17
    for task in tasks:
        row = rows[task.number]
        assert task.content == row.content
        assert task.measure == row.measure
        assert task.lead_unit.name == row.bureaus[0]
        assert [u.name for u in task.co_units] == row.bureaus[1:]
        assert task.implementing_groups == row.school_groups


def test_row_8_reads_as_in_the_plan(world):
    task = KeyTask.objects.get(number=8)
    assert "给予3万元-6万元的工作经费补助" in task.content
    assert task.content.endswith("分别给予5000元奖励")
    assert task.lead_unit.name == "市人力社保局"
    assert [u.name for u in task.co_units] == ["市财政局"]


def _school_types(task):
    return {u.school_type for u in task.assigned_units() if u.kind == "school"}


def test_row_9_expands_to_higher_vocational_colleges_and_technician_colleges_only(world):
    assert _school_types(KeyTask.objects.get(number=9)) == {
        "higher_vocational",
        "technician_college",
    }


def test_row_14_expands_to_technical_schools_only(world):
    assert _school_types(KeyTask.objects.get(number=14)) == {
        "technical",
        "senior_technical",
        "technician_college",
    }


def test_row_15_expands_to_vocational_schools_only(world):
    assert _school_types(KeyTask.objects.get(number=15)) == {
        "secondary_vocational",
        "higher_vocational",
    }


def test_row_2_assigns_both_bureaus_and_all_twelve_schools(world):
    assigned = KeyTask.objects.get(number=2).assigned_units()
    assert [u.name for u in assigned[:2]] == ["市教育局", "市人力社保局"]
    assert len([u for u in assigned if u.kind == "school"]) == 12


def test_rows_without_school_groups_stay_with_the_bureaus(world):
    for number in (1, 6, 8, 11, 13, 16, 17):
        assert all(u.kind == "bureau" for u in KeyTask.objects.get(number=number).assigned_units())


def test_loading_twice_changes_nothing(world):
    from tasks_registry.models import KeyTaskUnit
    from tasks_registry.services import registry_load

    before = list(KeyTaskUnit.objects.values_list("task__number", "unit__name", "role", "position"))
    registry_load()
    after = list(KeyTaskUnit.objects.values_list("task__number", "unit__name", "role", "position"))
    assert before == after
    assert KeyTask.objects.count() == 17


def test_export_registry_prints_units_and_expanded_tasks(world):
    out = StringIO()
    call_command("export_registry", stdout=out)
    data = json.loads(out.getvalue())
    kinds = {u["kind"] for u in data["units"]}
    assert kinds == {"leading_group", "office", "bureau", "school"}
    assert all((u["school_type"] is None) == (u["kind"] != "school") for u in data["units"])
    row5 = next(t for t in data["key_tasks"] if t["number"] == 5)
    assert row5["lead_unit"] == "市教育局"
    assert row5["co_units"] == ["市发展改革委", "市人力社保局"]
    assert row5["implementing_categories"] == ["职业院校", "技工院校"]
    assert len(row5["assigned_units"]) == 3 + 12
    row9 = next(t for t in data["key_tasks"] if t["number"] == 9)
    assert {u["school_type"] for u in row9["assigned_units"] if u["kind"] == "school"} == {
        "higher_vocational",
        "technician_college",
    }


def test_task_list_shows_the_17_rows_grouped_by_measure(world, login):
    client = login(world.school_handler)
    html = client.get("/tasks/").content.decode()
    for measure in (
        "建立职技融通管理体制",
        "理顺职技融通运行机制",
        "完善职技融通培养机制",
        "保障措施",
    ):
        assert measure in html
    for task in KeyTask.objects.all():
        assert f'href="/tasks/{task.number}/"' in html


def test_task_detail_lists_the_implementing_schools(world, login):
    html = login(world.edu_handler).get("/tasks/9/").content.decode()
    assert "台州市第一职业技术学院" in html and "台州市第一技师学院" in html
    assert "台州市第一中等职业学校" not in html


def test_unknown_task_number_is_404(world, login):
    assert login(world.edu_handler).get("/tasks/99/").status_code == 404
