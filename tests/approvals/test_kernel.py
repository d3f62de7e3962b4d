"""Kernel pieces that every procedure shares: joint sign-off, working days, beat, files."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from approvals.common import services
from approvals.common.attachments import sniff
from approvals.common.models import ApplicationStatus, SignOffStatus
from approvals.common.registry import Step, StepKind
from approvals.common.tasks import close_due_public_notices
from approvals.common.workdays import working_period
from approvals.dual_plaque.procedure import DUAL_PLAQUE
from tests.approvals.conftest import decide, submitted, to_publicity
from workflows.exceptions import Conflict

pytestmark = pytest.mark.django_db


def test_a_period_of_five_working_days_skips_the_weekend():
    friday = datetime.date(2026, 12, 4)
    assert working_period(friday, 5) == (friday, datetime.date(2026, 12, 10))
    saturday = datetime.date(2026, 12, 5)
    assert working_period(saturday, 5) == (
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 11),
    )


def test_file_kinds_come_from_the_content():
    assert sniff(b"%PDF-1.7").extension == "pdf"
    assert sniff(b"\xff\xd8\xff\xe0").extension == "jpg"
    assert sniff(b"\x89PNG\r\n\x1a\n").extension == "png"
    assert sniff(b"MZ\x90\x00") is None
    assert sniff(b"PK\x03\x04") is None  # a .docx renamed to .pdf


@pytest.fixture
def three_unit_signoff(world, monkeypatch):
    """The dual-plaque sign-off widened to three units, as pilot selection will use it."""
    steps = dict(DUAL_PLAQUE.steps)
    steps["cosign"] = Step(
        StepKind.COSIGN, "会签", lambda app: [world.edu, world.ndrc, world.finance]
    )
    monkeypatch.setattr(DUAL_PLAQUE, "steps", steps)


def test_a_joint_sign_off_waits_for_every_unit(world, three_unit_signoff):
    app = submitted(world)
    decide(app, world.hrss_handler)
    assert app.acting_unit is None
    assert app.signoffs.count() == 3
    decide(app, world.edu_handler)
    decide(app, world.ndrc_handler)
    assert app.current_step == "cosign"
    with pytest.raises(Conflict):  # the same unit twice
        decide(app, world.edu_head)
    decide(app, world.finance_handler)
    assert app.current_step == "leading_approval"


def test_one_unit_rejecting_a_joint_sign_off_ends_it_for_all(world, three_unit_signoff):
    app = submitted(world)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    decide(app, world.ndrc_handler, "reject", "与年度招生计划不衔接。")
    assert app.status == ApplicationStatus.REJECTED
    statuses = sorted(app.signoffs.values_list("status", flat=True))
    assert statuses == sorted(
        [SignOffStatus.APPROVED, SignOffStatus.REJECTED, SignOffStatus.CANCELLED]
    )


def test_a_return_at_a_joint_sign_off_opens_a_new_round_for_every_unit(world, three_unit_signoff):
    app = submitted(world)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    decide(app, world.finance_handler, "return", "请补充经费来源说明。")
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    assert app.current_step == "cosign"
    assert app.signoffs.filter(status=SignOffStatus.PENDING).count() == 3


def test_celery_beat_moves_the_flow_on_when_the_period_is_over(world):
    app = to_publicity(world)
    notice = app.public_notice
    assert close_due_public_notices() == 0
    after = datetime.datetime.combine(
        notice.ends_on + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(after, tick=False):
        assert close_due_public_notices() == 1
        assert close_due_public_notices() == 0  # idempotent
    app.refresh_from_db()
    assert app.current_step == "issue_reply"


def test_beat_waits_while_an_objection_is_unhandled(world):
    app = to_publicity(world)
    notice = app.public_notice
    services.objection_lodge(notice=notice, name="李某", contact="138", reason="理由" * 6)
    after = datetime.datetime.combine(
        notice.ends_on + datetime.timedelta(days=3),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(after, tick=False):
        assert close_due_public_notices() == 0
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PUBLICITY


def test_attachments_cannot_be_removed_once_submitted(world):
    app = submitted(world)
    with pytest.raises(Conflict):
        services.attachment_remove(attachment=app.attachments.get(), actor=world.school_handler)
