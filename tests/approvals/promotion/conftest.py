"""Helpers for dual-track promotion tests: people with records, experts, driving an
application through its steps with the real services."""

import datetime

import pytest
from django.utils import timezone

from approvals.common import services
from approvals.promotion.models import Credential, Grade, PanelMember
from approvals.promotion.services import person_enrol
from tests.approvals.conftest import decide, pdf
from tests.factories import UserFactory, expert
from workflows.models import Expert
from workflows.workdays import working_period

TITLE_DATA = {
    "route": "senior_technician_to_senior_lecturer",
    "teaching_years": "6",
    "annual_hours": "320",
    "courses": "汽车发动机维修、汽车电气检修",
    "achievements": "指导学生获全省职业院校技能大赛汽车维修赛项一等奖两项，主持校企合作项目三项。",
}
QUALIFICATION_DATA = {
    "route": "lecturer_to_technician",
    "occupation": "数控车工",
    "practice_years": "4",
    "practical_work": "在台州某机床厂数控车间顶岗实践，承担轴类零件批量加工和工艺改进任务，完成刀具寿命提升攻关。",
    "achievements": "主讲数控车削编程与加工课程八年，指导学生获市级技能竞赛一等奖，编写校本教材一部。",
}


ID_NUMBER = "331002198503150024"  # well-formed (GB 11643 check character), fictional


def person(school, username, *, holds=(), last="测", first="试", id_number=ID_NUMBER):
    user = UserFactory(username=username, last_name=last, first_name=first)
    record = person_enrol(user=user, school=school, post="专业教师", id_number=id_number)
    for grade in holds:
        Credential.objects.create(
            record=record,
            grade=grade,
            certificate_no=f"NO-{username}-{grade}",
            authority="台州市人力资源和社会保障局",
            awarded_on=datetime.date(2015, 6, 1),
            basis="职业技能鉴定",
        )
    return user


@pytest.fixture
def people(world):
    return {
        # a technician at the technical school: 高级技师 → 高级讲师
        "technician": person(
            world.technical_school,
            "s06-tech",
            holds=(Grade.SENIOR_TECHNICIAN,),
            last="林",
            first="师傅",
        ),
        # a teacher at the vocational school: 讲师 → 技师
        "teacher": person(
            world.school, "s01-teacher", holds=(Grade.LECTURER,), last="王", first="老师"
        ),
        "colleague": person(world.technical_school, "s06-colleague", holds=()),
        "elsewhere": person(world.other_school, "s02-teacher", holds=(Grade.LECTURER,)),
    }


@pytest.fixture
def experts(world):
    """Nine experts of the pool from nowhere in particular, and one of each applicant's school."""
    pool = [expert(f"pool-{i}") for i in range(1, 10)]
    same_school = expert("same-school-expert", affiliation=world.technical_school)
    teacher_school = expert("teacher-school-expert", affiliation=world.school)
    return {"pool": pool, "same_school": same_school, "teacher_school": teacher_school}


def expert_of(user) -> Expert:
    return Expert.objects.get(user=user)


def applied(person_user, data=None, *, submit=True):
    app = services.application_create(procedure_code="promotion", actor=person_user)
    form = services.application_save(
        application=app, actor=person_user, data=data or TITLE_DATA, uploads=[pdf()]
    )
    assert form.is_valid(), form.errors
    if submit:
        services.application_submit(application=app, actor=person_user)
    app.refresh_from_db()
    return app


def notice_over(app):
    """The current notice's period lies in the past; beat would close it now."""
    from approvals.common.models import PublicNotice

    app.refresh_from_db()
    notice = app.latest_notice
    first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
    services.public_notice_close_if_due(notice_id=notice.pk)
    app.refresh_from_db()
    return app


def act(app, actor, **cleaned):
    app.refresh_from_db()
    services.step_act(application=app, actor=actor, cleaned=cleaned, version=app.version)
    app.refresh_from_db()
    return app


def to_checks(world, app, head):
    notice_over(app)
    assert app.current_step == "school_recommend", app.current_step
    decide(app, head, opinion="同意推荐。")
    assert app.current_step == "bureau_checks"
    return app


def to_panel(world, app, head):
    to_checks(world, app, head)
    decide(app, world.hrss_handler, opinion="资格属实。")
    decide(app, world.edu_handler, opinion="任教条件符合。")
    assert app.current_step == "panel_vote"
    return app


def form_panel(world, app, users):
    return act(app, world.hrss_handler, action="form", members=[expert_of(u) for u in users])


def open_session(world, app, users):
    return act(app, world.hrss_handler, action="session", attending=[expert_of(u) for u in users])


def vote(app, user, choice):
    return act(app, user, action="vote", choice=choice)


def has_voted(app, user) -> bool:
    return PanelMember.objects.get(panel__application=app, expert__user=user).has_voted
