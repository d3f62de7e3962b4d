"""A round driven end to end through the services: open, apply, check, score, decide,
notice, issue; the pilot flag; the export recomputed independently from raw scores."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from approvals.common import services as kernel
from approvals.common.models import ApplicationStatus, PublicNotice, RoundState
from approvals.common.registry import procedure_for
from approvals.pilot_selection import services
from approvals.pilot_selection.models import AssignmentStatus, PilotSchool
from workflows.exceptions import RuleViolation
from workflows.workdays import working_period

pytestmark = pytest.mark.django_db


def test_a_round_from_call_to_joint_notice(world, pilot):
    round_ = pilot.open_round(world, quota=2)
    s1, s2, s3 = pilot.schools(3)
    apps = [pilot.submitted(round_, s) for s in (s1, s2, s3)]
    assert all(a.current_step == "eligibility" for a in apps)
    for a in apps:
        pilot.pass_eligibility(world, a)
    assert all(a.current_step == "scoring" for a in apps)
    # one expert works at s1: excluded from s1's panel by rule, scores the others
    experts = pilot.panel(4) + pilot.panel(1, affiliation=s1, prefix="s1e")
    made = pilot.assign(world, round_, experts)
    own = [m for m in made if m.application_id == apps[0].pk and m.expert == experts[-1]]
    assert own[0].status == AssignmentStatus.EXCLUDED
    assert s1.name in own[0].exclusion_reason
    values = {
        apps[0].pk: [18, 18, 18, 9, 27],
        apps[1].pk: [15, 15, 15, 7.5, 22.5],
        apps[2].pk: [10, 10, 10, 5, 15],
    }
    for a in made:
        if a.status == AssignmentStatus.ASSIGNED:
            pilot.score(a, values[a.application_id])
    for a in apps:
        a.refresh_from_db()
        assert a.current_step == "decision"
    pilot.close_window(round_)
    ranked = services.ranking(round_)
    assert [r.key.pk for r in ranked] == [a.pk for a in apps]
    assert ranked[0].total == Decimal("90.00")
    assert ranked[1].total == Decimal("75.00")
    round_.refresh_from_db()
    services.round_decide(
        round=round_,
        actor=world.leader,
        selected_ids=[apps[0].public_id, apps[1].public_id],
        reason="",
        version=round_.version,
    )
    for a in apps:
        a.refresh_from_db()
    assert apps[0].current_step == apps[1].current_step == "publicity"
    assert apps[2].status == ApplicationStatus.REJECTED
    notice = PublicNotice.objects.get(round=round_)
    assert s1.name in notice.body and s3.name not in notice.body
    first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
    kernel.public_notice_close_if_due(notice_id=notice.pk)
    apps[0].refresh_from_db()
    assert apps[0].current_step == "issue"
    round_.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:  # the HR bureau countersigns first
        services.round_issue_result(round=round_, actor=world.edu_leader, version=round_.version)
    assert "会签" in refused.value.message
    services.round_countersign(round=round_, actor=world.hrss_leader, version=round_.version)
    round_.refresh_from_db()
    document = services.round_issue_result(
        round=round_, actor=world.edu_leader, version=round_.version
    )
    round_.refresh_from_db()
    assert round_.state == RoundState.FINISHED
    assert "试点院校名单" in document.title
    # one number, the lead issuer's; both bureaus issue it
    assert document.number.startswith("台教发")
    assert [c.issuer.unit for c in document.co_issuers.all()] == [world.hrss]
    assert set(PilotSchool.objects.values_list("school", flat=True)) == {s1.pk, s2.pk}
    badges = procedure_for("pilot_selection").badges(s1)
    assert badges and str(round_.year) in badges[0]
    assert procedure_for("pilot_selection").badges(s3) == []

    out = StringIO()
    call_command("export_round", "--list", stdout=out)
    assert out.getvalue().strip() == f"{round_.pk}\t{round_.year}\t{round_.name}\tfinished"
    out = StringIO()
    call_command("export_round", str(round_.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["round"] == {
        "id": round_.pk,
        "year": round_.year,
        "name": round_.name,
        "quota": 2,
        "state": "finished",
    }
    assert data["criteria"] == pilot.CRITERIA
    by_school = {row["school"]: row for row in data["applications"]}
    assert by_school[s1.name]["decision"] == "pilot"
    assert by_school[s3.name]["decision"] == "not_selected"
    assert by_school[s1.name]["eligibility"] == {"edu": "approved", "hr": "approved"}
    # recompute the totals independently from the raw scores in the export
    for row in data["applications"]:
        scored = [e for e in row["experts"] if not e["excluded"] and e["submitted_at"]]
        total = Decimal(0)
        for c in data["criteria"]:
            values = sorted(Decimal(e["scores"][c["name"]]) for e in scored)
            if len(values) >= 5:
                values = values[1:-1]
            total += sum(values) / len(values) / c["max"] * c["weight"]
        assert Decimal(row["total"]) == total.quantize(Decimal("0.01"))
    excluded = [e for e in by_school[s1.name]["experts"] if e["excluded"]]
    assert len(excluded) == 1 and excluded[0]["reason"]


def test_late_submission_refused_naming_the_date(world, pilot):
    round_ = pilot.open_round(world)
    app = pilot.draft(round_, world.school)
    pilot.close_window(round_)
    with pytest.raises(RuleViolation) as refused:
        kernel.application_submit(application=app, actor=world.school_head)
    day = str(timezone.localtime(round_.closes_at).date())
    assert day in refused.value.message and "截止" in refused.value.message


def test_weights_must_add_up_to_100(world, pilot):
    bad = [dict(c) for c in pilot.CRITERIA]
    bad[0]["weight"] = 25
    with pytest.raises(RuleViolation) as refused:
        pilot.open_round(world, criteria=bad)
    assert refused.value.field == "criteria"
    assert "「评审标准」" in refused.value.message and "105" in refused.value.message


def test_criteria_frozen_once_the_first_application_is_submitted(world, pilot):
    round_ = pilot.open_round(world)
    changed = [dict(c) for c in pilot.CRITERIA]
    changed[0]["name"] = "办学条件"
    round_ = services.round_update_criteria(
        round=round_, actor=world.edu_handler, criteria=changed, version=round_.version
    )
    assert round_.criteria[0]["name"] == "办学条件"
    pilot.submitted(round_, world.school)
    with pytest.raises(RuleViolation) as refused:
        services.round_update_criteria(
            round=round_, actor=world.edu_handler, criteria=pilot.CRITERIA, version=round_.version
        )
    assert refused.value.field == "criteria" and "锁定" in refused.value.message


def test_one_application_per_school_per_round(world, pilot):
    round_ = pilot.open_round(world)
    first = pilot.submitted(round_, world.school)
    again = services.application_start(
        round=round_, actor=world.school_handler, school=world.school
    )
    assert again.pk == first.pk


def test_school_type_outside_the_round_refused(world, pilot):
    round_ = pilot.open_round(world, school_types=["technical"])
    with pytest.raises(RuleViolation) as refused:
        pilot.draft(round_, world.school)
    assert refused.value.field == "round"


def test_eligibility_return_only_while_the_window_is_open_and_refusal_seen(world, pilot):
    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    pilot.close_window(round_)
    with pytest.raises(RuleViolation) as refused:
        kernel.application_decide(
            application=app,
            actor=world.hrss_handler,
            decision="return",
            opinion="请补充",
            version=app.version,
        )
    assert refused.value.field == "decision" and "截止" in refused.value.message
    kernel.application_decide(
        application=app,
        actor=world.hrss_handler,
        decision="reject",
        opinion="学校近三年未开展职业技能等级认定，不符合申报条件。",
        version=app.version,
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert "职业技能等级认定" in app.decision_reason


def test_quota_enforced_and_deviation_needs_a_reason(world, pilot):
    round_ = pilot.open_round(world, quota=2)
    apps = [pilot.submitted(round_, s) for s in pilot.schools(3)]
    for a in apps:
        pilot.pass_eligibility(world, a)
    made = pilot.assign(world, round_, pilot.panel(3))
    marks = {apps[0].pk: 9, apps[1].pk: 8, apps[2].pk: 7}
    for a in made:
        m = marks[a.application_id]
        pilot.score(a, [m * 2, m * 2, m * 2, m, m * 3])
    pilot.close_window(round_)
    round_.refresh_from_db()
    ids = [a.public_id for a in apps]

    def decide(selected, reason=""):
        round_.refresh_from_db()
        return services.round_decide(
            round=round_,
            actor=world.leader,
            selected_ids=selected,
            reason=reason,
            version=round_.version,
        )

    with pytest.raises(RuleViolation) as refused:
        decide(ids)
    assert refused.value.field == "selected" and "名额" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        decide([ids[0], ids[2]])
    assert refused.value.field == "reason" and "排名" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        decide([ids[0]])
    assert refused.value.field == "reason" and "少于名额" in refused.value.message
    decide([ids[0], ids[2]], reason="第三名学校在技工教育融通方面有突出的地方特色。")
    round_.refresh_from_db()
    assert round_.decision_reason.startswith("第三名")
    apps[1].refresh_from_db()
    assert apps[1].status == ApplicationStatus.REJECTED


def test_scoring_closes_at_its_deadline_and_experts_are_reminded_before(world, pilot):
    from approvals.pilot_selection.models import PanelAssignment, PilotRound
    from workflows.models import Notification

    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    pilot.pass_eligibility(world, app)
    experts = pilot.panel(3)
    pilot.assign(world, round_, experts)
    pilot.score(PanelAssignment.objects.get(application=app, expert=experts[0]), [10] * 5)
    now = timezone.now()
    PilotRound.objects.filter(round=round_).update(
        scoring_deadline=now + datetime.timedelta(hours=20)
    )
    assert services.scoring_remind(now=now) == 2  # the two who have not submitted
    assert services.scoring_remind(now=now) == 0  # once
    assert Notification.objects.filter(
        recipient=experts[1].user, title__contains="评分将于"
    ).exists()
    assert services.scoring_close_if_due(now=now) == 0
    assert services.scoring_close_if_due(now=now + datetime.timedelta(hours=21)) == 1
    app.refresh_from_db()
    assert app.current_step == "decision"
    statuses = sorted(app.panel_assignments.values_list("status", flat=True))
    assert statuses == ["expired", "expired", "submitted"]
    result = services.ranking(round_, [app])[0]
    # only the submitted expert counts: 10/20×20 + 10/20×25 + 10/20×20 + 10/10×15 + 10/30×20
    assert result.total == Decimal("54.17")


def test_an_objection_upheld_during_the_notice_removes_that_school_only(world, pilot):
    round_ = pilot.open_round(world, quota=2)
    apps = [pilot.submitted(round_, s) for s in (world.school, world.other_school)]
    for a in apps:
        pilot.pass_eligibility(world, a)
    from approvals.pilot_selection.models import PanelAssignment

    pilot.assign(world, round_, pilot.panel(3))
    for a in PanelAssignment.objects.filter(application__round=round_):
        pilot.score(
            a, [18, 18, 18, 9, 27] if a.application_id == apps[0].pk else [15, 15, 15, 7, 20]
        )
    pilot.close_window(round_)
    round_.refresh_from_db()
    services.round_decide(
        round=round_,
        actor=world.leader,
        selected_ids=[a.public_id for a in apps],
        reason="",
        version=round_.version,
    )
    notice = PublicNotice.objects.get(round=round_)
    objection = kernel.objection_lodge(
        notice=notice,
        name="张先生",
        contact="13900000000",
        reason="该校申报材料中的实训基地数据不实。",
    )
    kernel.objection_handle(
        objection=objection,
        actor=world.edu_handler,
        upheld=True,
        note="经核查，实训基地面积与申报不符。",
        application=apps[1],
    )
    apps[1].refresh_from_db()
    assert apps[1].status == ApplicationStatus.REJECTED
    first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
    kernel.public_notice_close_if_due(notice_id=notice.pk)
    round_.refresh_from_db()
    services.round_countersign(round=round_, actor=world.hrss_leader, version=round_.version)
    round_.refresh_from_db()
    document = services.round_issue_result(
        round=round_, actor=world.edu_leader, version=round_.version
    )
    table = next(b for b in document.body if b["type"] == "table")
    assert [row[1] for row in table["rows"]] == [world.school.full_name or world.school.name]
    assert list(PilotSchool.objects.values_list("school", flat=True)) == [world.school.pk]
    out = StringIO()
    call_command("export_round", str(round_.pk), "--json", stdout=out)
    rows = {r["school"]: r for r in json.loads(out.getvalue())["applications"]}
    assert rows[world.other_school.name]["decision"] == "not_selected"
    assert "实训基地面积" in rows[world.other_school.name]["decision_reason"]
