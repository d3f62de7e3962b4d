"""Demo of dual-track promotion: teachers and technicians at demo schools with their
records, more experts for a nine-member committee, and applications in several states.
Idempotent: a person who already has a promotion application is left alone."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from workflows.demo import _demo_user
from workflows.models import Expert, Unit
from workflows.workdays import working_period

from ..common import services
from ..common.models import Application, PublicNotice
from .models import Credential, Grade
from .personal import check_digit
from .services import person_enrol
from .steps import conflicted

# more of the pool: a committee has at least five members; the demo's has nine
DEMO_PANEL_EXPERTS = (
    ("expert5", "郑", "国平", "数控技术", "正高级讲师", None),
    ("expert6", "孙", "丽华", "汽车运用与维修", "高级讲师", "s09"),
    ("expert7", "马", "志远", "电气自动化", "高级技师", None),
    ("expert8", "胡", "建军", "机电一体化", "高级工程师", "s11"),
    ("expert9", "郭", "晓燕", "职业教育", "教授", "s05"),
    ("expert10", "罗", "明", "焊接技术", "高级技师", None),
    ("expert11", "何", "静", "工业机器人", "高级讲师", "s06"),  # s06's own: barred on s06's
)

TITLE = {
    "route": "senior_technician_to_senior_lecturer",
    "teaching_years": "7",
    "annual_hours": "336",
    "courses": "汽车发动机构造与维修、汽车故障诊断",
    "achievements": "指导学生获全国职业院校技能大赛汽车技术赛项二等奖，主持市级技能大师工作室，"
    "为本地汽车企业解决技术难题十余项。",
}
QUALIFICATION = {
    "route": "lecturer_to_technician",
    "occupation": "数控车工",
    "practice_years": "4",
    "practical_work": "每年寒暑假在台州某数控机床企业顶岗实践，承担精密轴类零件加工、工艺编制和"
    "新员工带教，参与刀具寿命提升技术攻关。",
    "achievements": "主讲数控车削编程与加工八年，指导学生获市级技能竞赛一等奖两项，编写校本教材一部。",
}

# username, surname, given name, school, held grade, data, the state to drive it to
DEMO_PEOPLE = (
    ("s06-technician", "林", "师傅", "s06", Grade.SENIOR_TECHNICIAN, TITLE, "panel"),
    ("s01-teacher", "王", "老师", "s01", Grade.LECTURER, QUALIFICATION, "school_notice"),
    ("s04-teacher", "陈", "雅琴", "s04", Grade.LECTURER, QUALIFICATION, "approved"),
    (
        "s09-technician",
        "张",
        "卫东",
        "s09",
        Grade.TECHNICIAN,
        {**TITLE, "route": "technician_to_lecturer", "teaching_years": "3"},
        "bureau_checks",
    ),
    (
        "s02-teacher",
        "赵",
        "敏",
        "s02",
        Grade.SENIOR_LECTURER,
        {**QUALIFICATION, "route": "senior_lecturer_to_senior_technician", "practice_years": "6"},
        "returned",
    ),
    (
        "s11-technician",
        "周",
        "海波",
        "s11",
        Grade.TECHNICIAN,
        {**TITLE, "route": "technician_to_lecturer"},
        "draft",
    ),
)


def _pdf():
    """A blank one-page A4 PDF: the demo's supporting document (it passes the attachment checks)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("申报材料.pdf", out.getvalue(), "application/pdf")


def demo_id_number(index: int) -> str:
    """A well-formed, fictional ID number (椒江区, born 1980 + index)."""
    first17 = f"331002{1980 + index}0{(index % 9) + 1}15{index:02d}1"
    return first17 + check_digit(first17)


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _decide(app, username, decision="approve", opinion="同意。"):
    app.refresh_from_db()
    services.application_decide(
        application=app,
        actor=_user(username),
        decision=decision,
        opinion=opinion,
        version=app.version,
    )
    app.refresh_from_db()


def _act(app, username, **cleaned):
    app.refresh_from_db()
    services.step_act(application=app, actor=_user(username), cleaned=cleaned, version=app.version)
    app.refresh_from_db()


def _pass_notice(app):
    app.refresh_from_db()
    notice = app.latest_notice
    first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
    services.public_notice_close_if_due(notice_id=notice.pk)
    app.refresh_from_db()


def _experts():
    for username, last, first, field, title, school in DEMO_PANEL_EXPERTS:
        user = _demo_user(username, last, first)
        Expert.objects.update_or_create(
            user=user,
            defaults={
                "field": field,
                "title": title,
                "affiliation": Unit.objects.filter(code=school).first() if school else None,
            },
        )


def load_demo_promotion() -> None:
    from docs_gen.demo import ensure_issuers

    ensure_issuers()
    _experts()
    for index, (username, last, first, code, held, data, state) in enumerate(DEMO_PEOPLE):
        school = Unit.objects.filter(code=code).first()
        if school is None:
            continue
        user = _demo_user(username, last, first)
        record = person_enrol(
            user=user, school=school, post="专业教师", id_number=demo_id_number(index)
        )
        Credential.objects.get_or_create(
            record=record,
            grade=held,
            defaults={
                "certificate_no": f"3310{record.pk:06d}",
                "authority": "台州市人力资源和社会保障局"
                if held in (Grade.TECHNICIAN, Grade.SENIOR_TECHNICIAN)
                else "台州市教育局",
                "awarded_on": datetime.date(2016, 9, 1),
                "basis": "职业技能等级认定" if "technician" in held else "中等职业学校教师职称评审",
            },
        )
        if Application.objects.filter(procedure="promotion", applicant_person=user).exists():
            continue
        _drive(user, school, data, state)


def _drive(user, school, data, state):
    app = services.application_create(procedure_code="promotion", actor=user)
    services.application_save(application=app, actor=user, data=data, uploads=[_pdf()])
    if state == "draft":
        return
    services.application_submit(application=app, actor=user)
    if state == "school_notice":
        return
    head = f"{school.code}-head"
    _pass_notice(app)
    if state == "returned":
        _decide(app, head, "return", "请补充近三年企业实践的单位证明和考核材料。")
        return
    _decide(app, head, opinion="经校内公示无异议，同意推荐。")
    if state == "bureau_checks":
        _decide(app, "hrss-handler", opinion="职业资格证书真实有效。")
        return
    _decide(app, "hrss-handler", opinion="职业资格证书真实有效。")
    _decide(app, "edu-handler", opinion="任教年限和教学工作量符合条件。")
    pool = Expert.objects.filter(active=True).select_related("user").order_by("id")
    experts = [e for e in pool if not conflicted(e, app)][:9]  # the same-school rule
    _act(app, "hrss-handler", action="form", members=experts)
    if state == "panel":
        return
    _act(app, "hrss-handler", action="session", attending=experts[:7])
    for expert, choice in zip(experts[:7], ["yes"] * 5 + ["no", "abstain"], strict=True):
        _act(app, expert.user.username, action="vote", choice=choice)
    _pass_notice(app)
    services.application_issue(application=app, actor=_user("hrss-leader"), version=app.version)
