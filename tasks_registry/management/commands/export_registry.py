import json

from django.core.management.base import BaseCommand

from tasks_registry.selectors import assigned_units_bulk, key_tasks_with_units
from workflows.models import Unit, UnitKind

# the units of the plan's machinery; 市政府办公室 (issuer of the plan itself) is not one
EXPORTED_KINDS = [UnitKind.LEADING_GROUP, UnitKind.OFFICE, UnitKind.BUREAU, UnitKind.SCHOOL]


def _unit(unit: Unit) -> dict:
    return {"name": unit.name, "kind": unit.kind, "school_type": unit.school_type}


def registry_export() -> dict:
    tasks = list(key_tasks_with_units())
    assigned = assigned_units_bulk(tasks)
    return {
        "units": [
            _unit(u)
            for u in Unit.objects.filter(kind__in=EXPORTED_KINDS).order_by("sort_order", "id")
        ],
        "key_tasks": [
            {
                "number": t.number,
                "measure": t.measure,
                "content": t.content,
                "lead_unit": t.lead_unit.name,
                "co_units": [u.name for u in t.co_units],
                "implementing_categories": list(t.implementing_groups),
                "assigned_units": [_unit(u) for u in assigned[t.pk]],
            }
            for t in tasks
        ],
    }


class Command(BaseCommand):
    help = "Print the units and the 17 key tasks as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(registry_export(), ensure_ascii=False, indent=1))
