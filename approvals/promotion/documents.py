"""The result notice (通知) of a dual-track promotion, as a docs_gen ``DocumentValue``.

One notice per application: each person's result takes effect as soon as their own
committee and city notice are through, without waiting for a batch. It lists the person
who passed (name, masked ID number, school, what they held, what they are granted and at
which level), with the steps and the committee's counts.
"""

from django.utils import translation

from approvals.common.models import Application, NoticeStatus, ObjectionStatus
from docs_gen.values import DocumentValue
from workflows.people import display_name
from workflows.units import EDU, HRSS, unit_by_code

from .models import Grade, Panel, PanelState, PersonRecord, PromotionDetail
from .rules import PANEL_RULE, TASK_17, rule_for


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _notice_phrase(application, step) -> str:
    """「2026年11月18日至2026年11月24日，无异议」 of the notice ``step`` opened."""
    notice = (
        application.notices.filter(step=step, status=NoticeStatus.PASSED).order_by("-id").first()
    )
    if notice is None:
        return "无异议"
    dismissed = notice.objections.filter(status=ObjectionStatus.DISMISSED).count()
    period = f"{_cn_date(notice.starts_on)}至{_cn_date(notice.ends_on)}"
    if dismissed:
        return f"{period}，收到异议{dismissed}件，经核查均不成立"
    return f"{period}，无异议"


def result_document(application: Application) -> DocumentValue:
    with translation.override("zh-hans"):  # a document is Chinese whoever issues it
        return _result_document(application)


def _masked_id(application) -> str:
    record = PersonRecord.objects.filter(user=application.applicant_person).first()
    return record.masked_id_number if record else ""


def _result_document(application: Application) -> DocumentValue:
    detail = PromotionDetail.objects.get(application=application)
    rule = rule_for(detail.route)
    hrss, edu = unit_by_code(HRSS), unit_by_code(EDU)
    school = application.applicant_unit
    name = display_name(application.applicant_person)
    panel = (
        Panel.objects.filter(application=application, state=PanelState.TALLIED)
        .order_by("-id")
        .first()
    )
    counts = (
        f"出席委员{panel.attending}人，同意{panel.yes}票、不同意{panel.no}票、弃权{panel.abstain}票"
        if panel
        else "评审通过"
    )
    target, held = Grade(rule.target).label, Grade(rule.held).label
    body = (
        {
            "type": "paragraph",
            "text": f"根据{TASK_17}的要求，经个人申报，{school.name}校内公示"
            f"（{_notice_phrase(application, 'school_notice')}）并推荐，市人力社保局、市教育局并联审核，"
            f"评审委员会评审（{counts}，符合{PANEL_RULE}关于三分之二多数的规定），"
            f"并经市级公示（{_notice_phrase(application, 'city_notice')}），"
            "现将双线晋升评审结果通知如下：",
        },
        {"type": "heading", "level": 1, "text": "一、评审通过人员"},
        {
            "type": "table",
            "header": [
                "姓名",
                "身份证号",
                "所在学校",
                "原资格（职称）",
                "取得资格（职称）",
                "对应层级",
            ],
            "rows": [
                [
                    name,
                    _masked_id(application) or "—",
                    school.full_name or school.name,
                    str(held),
                    str(target),
                    rule.level,
                ]
            ],
        },
        {"type": "heading", "level": 1, "text": "二、有关要求"},
        {
            "type": "paragraph",
            "text": f"{name}同志自本通知印发之日起取得{target}"
            f"{'职称' if rule.to_title else '职业资格'}，记入本人档案，"
            f"{school.name}按规定做好聘用和待遇落实工作。",
        },
    )
    return DocumentValue(
        kind="notice",
        # the HR bureau, which holds the committee, issues the result (the education
        # bureau checked the title conditions and is copied)
        issuer=hrss,
        title=f"{hrss.full_name or hrss.name}关于公布{name}双线晋升评审结果的通知",
        addressees=(school.full_name or school.name,),
        body=body,
        cc=(edu.full_name or edu.name, "台州市职技融通改革工作领导小组办公室"),
    )
