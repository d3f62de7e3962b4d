"""The approvals kernel without dual plaque: the test-only procedure (tests/approvals/
trial_procedure: a person applies in a round, three bureaus check in parallel, the round
is decided at once, a notice is issued), and the pieces every procedure shares."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from approvals.common import rounds, services
from approvals.common.attachments import sniff
from approvals.common.checks import flow_step_mismatches
from approvals.common.models import ApplicationStatus, SignOffStatus
from approvals.common.registry import procedure_for
from approvals.common.selectors import inbox_for
from approvals.common.steps import APPROVED, REJECTED, Outcome
from approvals.common.tasks import close_due_public_notices
from tests.approvals.conftest import decide, pdf, to_publicity
from tests.factories import member
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import Role
from workflows.workdays import working_period

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


# --- the trial procedure: a person applies --------------------------------------------


@pytest.fixture
def people(world):
    """Two teachers of school s01 (staff: they act for no unit) and one of s02."""
    return {
        "teacher": member(world.school, Role.STAFF, "s01-teacher-a"),
        "colleague": member(world.school, Role.STAFF, "s01-teacher-b"),
        "elsewhere": member(world.other_school, Role.STAFF, "s02-teacher"),
    }


@pytest.fixture
def trial_round(world):
    now = timezone.now()
    return rounds.round_create(
        procedure_code="trial",
        owner_unit=world.edu,
        actor=world.edu_handler,
        year=now.year,
        name="2026年度试用事项",
        quota=1,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
    )


def trial_draft(person, round_, years="5"):
    app = services.application_create(procedure_code="trial", actor=person, round=round_)
    form = services.application_save(
        application=app,
        actor=person,
        data={"topic": "数控实训课程", "years": years},
        uploads=[pdf()],
    )
    assert form.is_valid(), form.errors
    app.refresh_from_db()
    return app


def trial_submitted(person, round_):
    app = trial_draft(person, round_)
    services.application_submit(application=app, actor=person)
    app.refresh_from_db()
    return app


def checked(world, app):
    for bureau in (world.edu_handler, world.ndrc_handler, world.finance_handler):
        decide(app, bureau)
    return app


def test_the_trial_flow_was_built_from_its_steps_and_the_start_up_check_agrees():
    procedure = procedure_for("trial")
    assert [s.name for s in procedure.steps] == ["check", "panel", "notify", "amend"]
    assert flow_step_mismatches(procedure) == []
    call_command("check")  # approvals.E001 would fail it


def test_the_start_up_check_names_a_step_the_flow_lacks():
    procedure = procedure_for("trial")

    class Drifted(type(procedure)):
        steps = (*procedure.steps[:1], *procedure.steps[2:])  # "panel" left out of the list

    assert flow_step_mismatches(Drifted()) == ["Handle node 'panel' of TrialFlow is not a step"]


def test_a_person_applies_in_their_own_name_at_their_school(world, people, trial_round):
    app = trial_draft(people["teacher"], trial_round)
    assert app.applicant_person == people["teacher"] and app.applicant_unit == world.school
    assert app.title.startswith("测试")  # the person's name, not the school's
    # nobody else edits it, not even the school's own staff
    with pytest.raises(PermissionDenied):
        services.application_save(application=app, actor=world.school_handler, data={})
    # the person submits alone (no head step)
    services.application_submit(application=app, actor=people["teacher"])
    app.refresh_from_db()
    assert app.status == ApplicationStatus.IN_REVIEW and app.acting_unit is None
    assert app.signoffs.count() == 3


def test_a_persons_application_is_seen_by_the_person_and_the_schools_head_only(
    world, people, trial_round, login, client
):
    app = trial_draft(people["teacher"], trial_round)
    page = reverse("applications:detail", args=[app.public_id])
    assert login(people["teacher"]).get(page).status_code == 200
    for outsider in (world.school_head, people["colleague"], world.school_handler):
        assert login(outsider).get(page).status_code == 404  # a draft stays with its author
    services.application_submit(application=app, actor=people["teacher"])
    assert login(world.school_head).get(page).status_code == 200  # the head recommends
    for outsider in (people["colleague"], world.school_handler, people["elsewhere"]):
        assert login(outsider).get(page).status_code == 404
    assert login(world.edu_handler).get(page).status_code == 200  # routed to the checkers
    assert login(world.hrss_handler).get(page).status_code == 404


def test_a_joint_sign_off_waits_for_every_unit(world, people, trial_round):
    app = trial_submitted(people["teacher"], trial_round)
    decide(app, world.edu_handler)
    decide(app, world.ndrc_handler)
    assert app.current_step == "check"
    with pytest.raises(Conflict):  # the same unit twice
        decide(app, world.edu_head)
    decide(app, world.finance_handler)
    assert app.current_step == "panel"


def test_one_unit_rejecting_a_joint_sign_off_ends_it_for_all(world, people, trial_round):
    app = trial_submitted(people["teacher"], trial_round)
    decide(app, world.edu_handler)
    decide(app, world.ndrc_handler, "reject", "与年度计划不衔接。")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED and app.decision_reason == "与年度计划不衔接。"
    statuses = sorted(app.signoffs.values_list("status", flat=True))
    assert statuses == sorted(
        [SignOffStatus.APPROVED, SignOffStatus.REJECTED, SignOffStatus.CANCELLED]
    )
    assert people["teacher"].notifications.filter(title__startswith="申请未通过").exists()


def test_a_return_at_a_joint_sign_off_opens_a_new_round_for_every_unit(world, people, trial_round):
    teacher = people["teacher"]
    app = trial_submitted(teacher, trial_round)
    decide(app, world.edu_handler)
    decide(app, world.finance_handler, "return", "请补充课程大纲。")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED
    assert [r.title for r in inbox_for(teacher)] == ["退回申请人修改"]  # the person's own inbox
    services.application_submit(application=app, actor=teacher)
    app.refresh_from_db()
    assert app.current_step == "check"
    assert app.signoffs.filter(status=SignOffStatus.PENDING).count() == 3


def test_a_submission_after_the_window_is_refused_naming_the_date(world, people, trial_round):
    app = trial_draft(people["teacher"], trial_round)
    later = trial_round.closes_at + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False), pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=people["teacher"])
    day = timezone.localtime(trial_round.closes_at).date().isoformat()
    assert f"申报已于 {day} 截止" in refused.value.message
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT  # nothing lost


def test_the_round_is_decided_at_once_within_its_quota(world, people, trial_round):
    first = checked(world, trial_submitted(people["teacher"], trial_round))
    second = checked(world, trial_submitted(people["colleague"], trial_round))
    trial_round.refresh_from_db()
    both = {first.pk: Outcome(APPROVED), second.pk: Outcome(APPROVED)}
    with pytest.raises(RuleViolation, match="超过本批次名额 1 件"):
        rounds.round_decide(
            round=trial_round, step_name="panel", actor=world.edu_head, outcomes=both, version=0
        )
    with pytest.raises(RuleViolation, match="尚未决定"):
        rounds.round_decide(
            round=trial_round,
            step_name="panel",
            actor=world.edu_head,
            outcomes={first.pk: Outcome(APPROVED)},
            version=0,
        )
    with pytest.raises(PermissionDenied):
        rounds.round_decide(
            round=trial_round, step_name="panel", actor=world.hrss_head, outcomes=both, version=0
        )
    decided = {first.pk: Outcome(APPROVED), second.pk: Outcome(REJECTED, "名额已满，排名第二。")}
    rounds.round_decide(
        round=trial_round, step_name="panel", actor=world.edu_head, outcomes=decided, version=0
    )
    with pytest.raises(Conflict):  # a second officer deciding with the page they had
        rounds.round_decide(
            round=trial_round, step_name="panel", actor=world.edu_head, outcomes=decided, version=0
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.current_step == "notify" and first.acting_unit == world.edu
    assert second.status == ApplicationStatus.REJECTED
    assert second.decision_reason == "名额已满，排名第二。"
    # the notice is issued by the bureau's leader; the person can open it
    with pytest.raises(PermissionDenied):
        services.application_issue(
            application=first, actor=world.edu_handler, version=first.version
        )
    services.application_issue(application=first, actor=world.edu_leader, version=first.version)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.APPROVED
    assert first.document.kind == "notice" and first.document.number
    assert people["teacher"].has_perm("view_officialdocument", first.document)


# --- dual plaque's public notice on beat ----------------------------------------------------


def test_celery_beat_moves_the_flow_on_when_the_period_is_over(world):
    app = to_publicity(world)
    notice = app.latest_notice
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
    notice = app.latest_notice
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
    from tests.approvals.conftest import submitted

    app = submitted(world)
    with pytest.raises(Conflict):
        services.attachment_remove(attachment=app.attachments.get(), actor=world.school_handler)


# --- time limits on steps ---------------------------------------------------------------------


def test_a_step_has_a_time_limit_in_working_days_with_a_reminder_and_an_escalation(world):
    from approvals.common.services import step_deadline_alerts
    from tests.approvals.conftest import submitted
    from workflows.models import Notification
    from workflows.workdays import add_working_days, working_days_between

    app = submitted(world)
    today = timezone.localdate()
    assert app.step_due == add_working_days(today, 5)  # a review step: 5 working days
    row = next(r for r in inbox_for(world.hrss_handler) if r.subject == app.title)
    assert row.light == "green" and row.due.date() == app.step_due

    def at(day):
        return time_machine.travel(
            datetime.datetime.combine(
                day, datetime.time(10), tzinfo=timezone.get_current_timezone()
            ),
            tick=False,
        )

    day_before = next(
        today + datetime.timedelta(days=n)
        for n in range(1, 30)
        if working_days_between(today + datetime.timedelta(days=n), app.step_due) == 1
    )
    with at(day_before):
        assert step_deadline_alerts(today=day_before) == {"reminder": 1, "escalation": 0}
        assert step_deadline_alerts(today=day_before) == {"reminder": 0, "escalation": 0}
        row = next(r for r in inbox_for(world.hrss_handler) if r.subject == app.title)
        assert row.light == "amber"
    assert Notification.objects.filter(
        recipient=world.hrss_handler, title__startswith="即将到期"
    ).exists()
    after = app.step_due + datetime.timedelta(days=1)
    with at(after):
        assert step_deadline_alerts(today=after) == {"reminder": 0, "escalation": 1}
        assert step_deadline_alerts(today=after) == {"reminder": 0, "escalation": 0}
        row = next(r for r in inbox_for(world.hrss_handler) if r.subject == app.title)
        assert row.light == "red"
    assert Notification.objects.filter(
        recipient=world.office_handler, title__startswith="已超时"
    ).exists()
    decide(app, world.hrss_handler)  # the next step starts its own limit
    app.refresh_from_db()
    assert app.current_step == "cosign" and app.step_due == add_working_days(today, 5)


def test_a_procedure_sets_its_own_limit_for_a_step_and_a_notice_has_none(world, monkeypatch):
    from tests.approvals.conftest import submitted
    from workflows.workdays import add_working_days

    procedure = procedure_for("dual_plaque")
    monkeypatch.setattr(procedure, "step_limits", {"competent_review": 10})
    app = submitted(world)
    assert app.step_due == add_working_days(timezone.localdate(), 10)
    notice_app = to_publicity(
        world,
        school=world.other_school,
        handler=world.other_school_handler,
        head=world.other_school_head,
    )
    assert notice_app.step_due is None  # the notice's period is its own
