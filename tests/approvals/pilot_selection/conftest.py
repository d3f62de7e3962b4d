"""Helpers for pilot selection tests: a round, schools' applications, a panel, scores."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals.common import services as kernel
from approvals.common.models import Round
from approvals.pilot_selection import services
from approvals.pilot_selection.models import PanelAssignment
from tests.approvals.conftest import pdf
from tests.factories import expert, member
from workflows.models import Expert, Role, Unit

CRITERIA = [
    {"name": "办学基础", "max": 20, "weight": 20},
    {"name": "专业与产业对接", "max": 20, "weight": 25},
    {"name": "“双师型”师资", "max": 20, "weight": 20},
    {"name": "校企合作与社会培训", "max": 10, "weight": 15},
    {"name": "职技融通工作基础", "max": 30, "weight": 20},
]


def open_round(world, *, quota=2, days_open=10, **kw) -> Round:
    now = timezone.now()
    fields = {
        "actor": world.edu_handler,
        "year": now.year,
        "name": f"{now.year}年度职技融通改革试点院校遴选",
        "quota": quota,
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=days_open),
        "criteria": CRITERIA,
        "required_attachments": ["申报书"],
    }
    fields.update(kw)
    return services.round_open(**fields)


def statements(round_) -> dict:
    data = {
        "contact_name": "王晓明",
        "contact_phone": "0576-88881234",
        "round_ref": str(round_.public_id),
    }
    for index, c in enumerate(round_.criteria, start=1):
        data[f"statement_{index}"] = f"本校在“{c['name']}”方面基础扎实，具体情况如下：……"
    return data


def school_people(school):
    """The school's handler and head (made once: a second factory call resets the password)."""
    from workflows.models import Membership

    people = []
    for role in (Role.HANDLER, Role.HEAD):
        m = Membership.objects.filter(unit=school, role=role).select_related("user").first()
        people.append(m.user if m else member(school, role))
    return people


def draft(round_, school, **overrides):
    handler, _head = school_people(school)
    app = services.application_start(round=round_, actor=handler, school=school)
    form = kernel.application_save(
        application=app, actor=handler, data={**statements(round_), **overrides}, uploads=[pdf()]
    )
    assert form.is_valid(), form.errors
    app.refresh_from_db()
    return app


def submitted(round_, school, **overrides):
    app = draft(round_, school, **overrides)
    _handler, head = school_people(school)
    kernel.application_submit(application=app, actor=head)
    app.refresh_from_db()
    return app


def pass_eligibility(world, app):
    for actor in (world.edu_handler, world.hrss_handler):
        app.refresh_from_db()
        kernel.application_decide(
            application=app, actor=actor, decision="approve", opinion="", version=app.version
        )
    app.refresh_from_db()
    return app


def panel(n=5, affiliation=None, prefix="pe"):
    users = [expert(f"{prefix}{i}", affiliation=affiliation) for i in range(n)]
    return [Expert.objects.get(user=u) for u in users]


def assign(world, round_, experts):
    round_.refresh_from_db()
    return services.panel_assign(
        round=round_, actor=world.office_handler, experts=experts, version=round_.version
    )


def score(assignment, values, *, submit=True, comment="意见"):
    assignment = PanelAssignment.objects.get(pk=assignment.pk)
    criteria = assignment.application.round.criteria
    scores = {c["name"]: Decimal(str(v)) for c, v in zip(criteria, values, strict=True)}
    return services.scores_save(
        assignment=assignment,
        actor=assignment.expert.user,
        scores=scores,
        comment=comment,
        submit=submit,
        version=assignment.version,
    )


def close_window(round_):
    Round.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    round_.refresh_from_db()
    return round_


def schools(n):
    return list(Unit.objects.filter(kind="school").order_by("sort_order")[:n])


@pytest.fixture
def pilot():
    import sys

    return sys.modules[__name__]
