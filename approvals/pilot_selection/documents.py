"""The round's public notice and its result: a 通知 of both bureaus (联合行文)."""

from approvals.common.models import ObjectionStatus
from docs_gen.values import DocumentValue

from . import rules
from .models import PilotDecision


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _selected(round_):
    return list(
        PilotDecision.objects.filter(round=round_, selected=True)
        .select_related("application__applicant_unit")
        .order_by("rank")
    )


def notice_text(round_) -> tuple[str, str]:
    names = "、".join(d.application.applicant_unit.name for d in _selected(round_))
    title = f"关于{round_.name}拟入选名单的公示"
    body = (
        f"{rules.TASK_6}，经学校申报、市教育局和市人力社保局资格审核、专家评审、"
        f"台州市职技融通改革工作领导小组研究，拟确定以下学校为{round_.year}年度职技融通改革"
        f"试点院校：{names}。现予公示。公示期间，任何单位和个人如有异议，"
        "可在本页实名提出，并留下联系方式，以便核实。"
    )
    return title, body


def result_document(round_, waiting) -> DocumentValue:
    edu, hrss = rules.edu(), rules.hrss()
    decisions = _selected(round_)
    waiting_ids = {a.pk for a in waiting}
    decisions = [d for d in decisions if d.application_id in waiting_ids]
    notice = round_.notices.order_by("-id").first()
    if notice is not None:
        dismissed = notice.objections.filter(status=ObjectionStatus.DISMISSED).count()
        period = f"{_cn_date(notice.starts_on)}至{_cn_date(notice.ends_on)}"
        publicity = (
            f"并于{period}公示，公示期间收到异议{dismissed}件，经核查均不成立"
            if dismissed
            else f"并于{period}公示无异议"
        )
    else:
        publicity = "并经公示"
    rows = [
        [
            str(index),
            d.application.applicant_unit.full_name or d.application.applicant_unit.name,
            d.application.applicant_unit.get_school_type_display(),
        ]
        for index, d in enumerate(decisions, start=1)
    ]
    body = (
        {
            "type": "paragraph",
            "text": f"{rules.TASK_6}的要求，市教育局、市人力社保局组织开展了{round_.name}工作。"
            "经学校申报、两局资格审核、专家评审、台州市职技融通改革工作领导小组研究，"
            f"{publicity}。现将{round_.year}年度职技融通改革试点院校名单通知如下：",
        },
        {"type": "table", "header": ["序号", "学校名称", "学校类型"], "rows": rows},
        {"type": "heading", "level": 1, "text": "一、试点任务"},
        {
            "type": "paragraph",
            "text": "各试点院校要围绕职业院校与技工院校融通发展，在专业共建、师资互聘、"
            "学分互认、职业技能等级认定等方面先行先试，形成可复制推广的经验。",
        },
        {"type": "heading", "level": 1, "text": "二、工作要求"},
        {
            "type": "paragraph",
            "text": "各试点院校要制定试点工作方案，于通知印发后一个月内报市教育局、"
            "市人力社保局备案，每年12月底前报送试点工作进展情况。",
        },
    )
    return DocumentValue(
        kind="notice",
        issuer=edu,
        co_issuers=(hrss,),
        title=f"台州市教育局 台州市人力资源和社会保障局关于公布{round_.year}年度"
        "职技融通改革试点院校名单的通知",
        addressees=("各有关学校",),
        body=body,
        cc=("台州市职技融通改革工作领导小组办公室",),
    )
