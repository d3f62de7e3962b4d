"""Dual-track promotion end to end through the services: a technician asks for a teacher
title and gets it; a teacher asks for a technician qualification; the school's notice and
recommendation; returns at school and city level; the result on the person's record."""

import pytest
from django.core.exceptions import PermissionDenied

from approvals.common import services
from approvals.common.models import ApplicationStatus, SignOffStatus
from approvals.common.selectors import inbox_for
from approvals.promotion.models import Credential, Grade
from tests.approvals.conftest import decide
from workflows.exceptions import RuleViolation

from .conftest import (
    QUALIFICATION_DATA,
    TITLE_DATA,
    applied,
    form_panel,
    notice_over,
    open_session,
    to_checks,
    to_panel,
    vote,
)

pytestmark = pytest.mark.django_db


def test_a_technician_becomes_a_senior_lecturer_and_the_record_shows_it(world, people, experts):
    tech = people["technician"]
    app = applied(tech)
    assert app.applicant_person == tech and app.applicant_unit == world.technical_school
    assert app.current_step == "school_notice" and app.acting_unit == world.technical_school
    notice = app.latest_notice
    assert notice.level == "unit" and notice.handling_unit == world.technical_school
    assert notice.working_days == 5 and "校内公示" in notice.title
    to_panel(world, app, world.technical_head)
    pool = experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    for user, choice in zip(pool[:6], ["yes", "yes", "yes", "yes", "no", "abstain"], strict=True):
        vote(app, user, choice)
    assert app.current_step == "city_notice"
    city = app.latest_notice
    assert city.level == "city" and city.handling_unit == world.hrss
    notice_over(app)
    assert app.current_step == "issue_result" and app.acting_unit == world.hrss
    with pytest.raises(PermissionDenied):
        services.application_issue(application=app, actor=world.hrss_handler, version=app.version)
    services.application_issue(application=app, actor=world.hrss_leader, version=app.version)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    assert app.document.kind == "notice" and app.document.number
    assert "林师傅" in app.document.title
    text = " ".join(str(b.get("text", "")) + str(b.get("rows", "")) for b in app.document.body)
    assert "出席委员6人，同意4票、不同意1票、弃权1票" in text and "第17项" in text
    assert (
        "'林师傅', '3310**********0024', '台州市第一技工学校', '高级技师', '高级讲师', '副高级'"
        in text
    )
    granted = Credential.objects.get(application=app)
    assert granted.grade == Grade.SENIOR_LECTURER
    assert granted.document_number == app.document.number
    assert "出席 6 人，同意 4 票" in granted.basis
    assert tech.has_perm("view_officialdocument", app.document)


def test_a_teacher_asks_for_a_technician_qualification(world, people, experts):
    app = applied(people["teacher"], QUALIFICATION_DATA)
    assert app.title == "王老师申报技师（双线晋升）"
    to_checks(world, app, world.school_head)
    snapshot = services.procedure_for(app).snapshot(app)
    assert snapshot["申报职业（工种）"] == "数控车工" and "在校任教年限" not in snapshot
    # the bureaus see what the record holds
    assert snapshot["所持资格（职称）"].startswith("讲师（证书编号 NO-s01-teacher-lecturer")


def test_the_route_must_start_from_what_the_record_holds(world, people):
    app = applied(people["colleague"], submit=False)  # holds nothing
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=people["colleague"])
    assert refused.value.field == "route"
    assert "附件重点任务第17项" in refused.value.message and "高级技师" in refused.value.message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("teaching_years", "4", "须在校任教满 5 年"),
        ("annual_hours", "200", "不少于 240 课时"),
        ("courses", "", "「主讲课程」"),
    ],
)
def test_title_conditions_are_checked_naming_the_field(world, people, field, value, words):
    app = applied(people["technician"], {**TITLE_DATA, field: value}, submit=False)
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=people["technician"])
    assert refused.value.field == field and words in refused.value.message
    assert "第17项" in refused.value.message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("occupation", "", "「申报职业（工种）」"),
        ("practice_years", "2", "累计满 3 年"),
        ("practical_work", "短", "「实践工作内容」"),
    ],
)
def test_qualification_conditions_are_checked_naming_the_field(world, people, field, value, words):
    app = applied(people["teacher"], {**QUALIFICATION_DATA, field: value}, submit=False)
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=people["teacher"])
    assert refused.value.field == field and words in refused.value.message


def test_one_open_application_per_person(world, people):
    applied(people["technician"])
    second = applied(people["technician"], submit=False)
    with pytest.raises(RuleViolation, match="每人只能有一件在办申请"):
        services.application_submit(application=second, actor=people["technician"])


def test_the_school_handles_objections_to_its_own_notice(world, people):
    app = applied(people["technician"])
    notice = app.latest_notice
    objection = services.objection_lodge(
        notice=notice, name="同事甲", contact="139", reason="该同志任教年限是否属实，请核实。"
    )
    with pytest.raises(PermissionDenied):  # the city does not handle the school's notice
        services.objection_handle(
            objection=objection, actor=world.hrss_handler, upheld=True, note="不应由我局处理"
        )
    services.objection_handle(
        objection=objection, actor=world.technical_head, upheld=True, note="经核实任教年限不足。"
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert "异议成立" in app.decision_reason


def test_return_and_resubmit_at_the_school(world, people):
    tech = people["technician"]
    app = applied(tech)
    notice_over(app)
    with pytest.raises(PermissionDenied):  # a handler does not recommend: the head does
        decide(app, world.technical_handler)
    decide(app, world.technical_head, "return", "请补充近三学年课时证明。")
    assert app.status == ApplicationStatus.RETURNED
    assert [r.title for r in inbox_for(tech)] == ["退回申请人修改"]
    services.application_submit(application=app, actor=tech)
    app.refresh_from_db()
    assert app.current_step == "school_recommend"  # back to the step that returned it


def test_return_and_resubmit_at_the_city_checks(world, people):
    tech = people["technician"]
    app = applied(tech)
    to_checks(world, app, world.technical_head)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler, "return", "请补充主讲课程教学评价。")
    assert app.status == ApplicationStatus.RETURNED
    services.application_submit(application=app, actor=tech)
    app.refresh_from_db()
    assert app.current_step == "bureau_checks"
    assert app.signoffs.filter(status=SignOffStatus.PENDING).count() == 2  # both check again


def test_either_bureau_may_refuse(world, people):
    app = applied(people["technician"])
    to_checks(world, app, world.technical_head)
    decide(app, world.edu_handler, "reject", "任教期间教学考核不合格。")
    assert app.status == ApplicationStatus.REJECTED
    assert app.decision_reason == "任教期间教学考核不合格。"


def test_a_failed_vote_closes_the_application_with_the_counts(world, people, experts):
    app = applied(people["technician"])
    to_panel(world, app, world.technical_head)
    pool = experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    for user, choice in zip(pool[:6], ["yes", "yes", "yes", "no", "no", "abstain"], strict=True):
        vote(app, user, choice)
    assert app.status == ApplicationStatus.REJECTED
    assert "同意 3 票" in app.decision_reason and "不少于 4 票" in app.decision_reason
    assert not Credential.objects.filter(application=app).exists()


@pytest.mark.parametrize("first", ["hrss", "edu"])
def test_the_bureau_checks_pass_in_either_order(world, people, first):
    app = applied(people["technician"])
    to_checks(world, app, world.technical_head)
    order = [world.hrss_handler, world.edu_handler]
    if first == "edu":
        order.reverse()
    decide(app, order[0])
    assert app.current_step == "bureau_checks"  # waits for the other bureau
    assert inbox_for(order[0]) == [] and len(inbox_for(order[1])) == 1
    decide(app, order[1])
    assert app.current_step == "panel_vote" and app.acting_unit == world.hrss
