"""Writes of the key-task registry."""

from django.db import transaction

from workflows.units import plan_bureau_by_name

from .annex import AnnexRow, load_plan_annex
from .models import KeyTask, KeyTaskUnit, UnitRole


@transaction.atomic
def registry_load(*, rows: list[AnnexRow] | None = None) -> list[KeyTask]:
    """Load the annex rows into the registry. Idempotent: running it again changes nothing."""
    rows = rows if rows is not None else load_plan_annex()
    measures: list[str] = []
    tasks = []
    for row in rows:
        if row.measure not in measures:
            measures.append(row.measure)
        task, _created = KeyTask.objects.update_or_create(
            number=row.number,
            defaults={
                "measure_number": measures.index(row.measure) + 1,
                "measure": row.measure,
                "content": row.content,
                "responsible_text": row.responsible,
                "implementing_groups": row.school_groups,
            },
        )
        wanted = []
        for position, name in enumerate(row.bureaus):
            unit = plan_bureau_by_name(name)
            role = UnitRole.LEAD if position == 0 else UnitRole.CO
            KeyTaskUnit.objects.update_or_create(
                task=task, unit=unit, defaults={"role": role, "position": position}
            )
            wanted.append(unit.pk)
        task.unit_links.exclude(unit_id__in=wanted).delete()
        tasks.append(task)
    return tasks
