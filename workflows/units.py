"""The units the plan itself names: the leading group, its office and four city bureaus.

Names are as written in the plan (市教育局 …); ``full_name`` is the body's full
official name, used on official documents.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from .models import Unit, UnitKind


@dataclass(frozen=True)
class PlanUnit:
    code: str
    name: str
    full_name: str
    kind: str


PLAN_UNITS = (
    PlanUnit(
        "leading-group",
        "职技融通改革工作领导小组",
        "台州市职技融通改革工作领导小组",
        UnitKind.LEADING_GROUP,
    ),
    PlanUnit(
        "office",
        "职技融通改革工作领导小组办公室",
        "台州市职技融通改革工作领导小组办公室",
        UnitKind.OFFICE,
    ),
    PlanUnit("edu", "市教育局", "台州市教育局", UnitKind.BUREAU),
    PlanUnit("hrss", "市人力社保局", "台州市人力资源和社会保障局", UnitKind.BUREAU),
    PlanUnit("finance", "市财政局", "台州市财政局", UnitKind.BUREAU),
    PlanUnit("ndrc", "市发展改革委", "台州市发展和改革委员会", UnitKind.BUREAU),
)
BUREAU_CODES = {u.name: u.code for u in PLAN_UNITS if u.kind == UnitKind.BUREAU}
PLAN_CODES = [u.code for u in PLAN_UNITS]
EDU, HRSS, FINANCE, NDRC = "edu", "hrss", "finance", "ndrc"


@transaction.atomic
def ensure_plan_units() -> list[Unit]:
    """Create (or refresh) the plan's own units. Idempotent."""
    units = []
    for order, spec in enumerate(PLAN_UNITS, start=1):
        unit, _created = Unit.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "full_name": spec.full_name,
                "kind": spec.kind,
                "sort_order": order,
            },
        )
        units.append(unit)
    return units


def plan_bureau_by_name(name: str) -> Unit:
    """The bureau the plan calls ``name``; unknown names are an error, not a new unit."""
    if name not in BUREAU_CODES:
        raise ValueError(f"the plan names an unknown bureau: {name}")
    try:
        return Unit.objects.get(code=BUREAU_CODES[name])
    except Unit.DoesNotExist:
        ensure_plan_units()
        return Unit.objects.get(code=BUREAU_CODES[name])


_SCOPE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("unit_scope", default=None)
_LOADED = object()


@contextmanager
def units_cached(*known: Unit | None):
    """Within the block, ``unit_by_code`` reads the plan's own units once (one query, at
    the first code not among ``known``; not the enterprises and schools) and answers from
    that. For one service call:
    a step's rules name the same bureaus several times; a unit renamed meanwhile is seen
    by the next call."""
    if _SCOPE.get() is not None:
        for unit in known:
            if unit is not None:
                _SCOPE.get().setdefault(unit.code, unit)
        yield
        return
    token = _SCOPE.set({u.code: u for u in known if u is not None})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def unit_by_code(code: str) -> Unit:
    cache = _SCOPE.get()
    if cache is None:
        return Unit.objects.get(code=code)
    unit = cache.get(code)
    if unit is None and _LOADED not in cache:
        cache[_LOADED] = True
        for u in Unit.objects.filter(code__in=PLAN_CODES):
            cache.setdefault(u.code, u)
        unit = cache.get(code)
    if unit is None:
        unit = cache[code] = Unit.objects.get(code=code)
    return unit
