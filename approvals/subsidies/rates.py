"""Row 10's rates: one per year and programme kind, for every school alike."""

from django.db import transaction

from workflows.services import audit_record
from workflows.units import unit_by_code

from .budget import _require_finance
from .models import ApprenticeshipRate


@transaction.atomic
def rate_save(*, actor, year: int, programme_kind: str, rate) -> ApprenticeshipRate:
    _require_finance(actor)
    row, _created = ApprenticeshipRate.objects.update_or_create(
        year=year, programme_kind=programme_kind, defaults={"rate": rate}
    )
    audit_record(
        actor=actor,
        action="apprenticeship_rate_set",
        obj=row,
        unit=unit_by_code("finance"),
        after={"rate": str(rate)},
    )
    return row
