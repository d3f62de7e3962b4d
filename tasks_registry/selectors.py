"""Reads of the key-task registry."""

from itertools import groupby

from django.db.models import Prefetch

from workflows.models import Unit

from .models import KeyTask, KeyTaskUnit


def key_tasks_with_units():
    return KeyTask.objects.prefetch_related(
        Prefetch("unit_links", queryset=KeyTaskUnit.objects.select_related("unit"))
    )


def key_tasks_by_measure() -> list[tuple[tuple[int, str], list[KeyTask]]]:
    """[((measure_number, measure), [tasks…]), …] in annex order."""
    tasks = list(key_tasks_with_units())
    return [
        (key, list(group))
        for key, group in groupby(tasks, key=lambda t: (t.measure_number, t.measure))
    ]


def schools_by_type() -> dict[str, list[Unit]]:
    result: dict[str, list[Unit]] = {}
    for school in Unit.objects.schools():
        result.setdefault(school.school_type, []).append(school)
    return result


def assigned_units_bulk(tasks) -> dict[int, list[Unit]]:
    """assigned_units() for many tasks with one query for the schools."""
    by_type = schools_by_type()
    result = {}
    for task in tasks:
        bureaus = [link.unit for link in task.bureau_links()]
        schools = [s for t in task.implementing_school_types() for s in by_type.get(t, [])]
        result[task.pk] = bureaus + schools
    return result
