"""The reply (批复) that closes a dual-plaque application, as a docs_gen ``DocumentValue``.

docs_gen previews it (the same renderer as the PDF) and, when the competent
bureau's leader signs it off, numbers, seals and renders it.
"""

from approvals.common.models import Application, PublicNotice
from approvals.common.notices import notice_period, publicity_clause
from docs_gen.values import DocumentValue

from .models import DualPlaqueDetail, PlaqueKind
from .rules import TASK_2, co_signing_bureau, competent_bureau


def reply_document(application: Application) -> DocumentValue:
    detail = DualPlaqueDetail.objects.get(application=application)
    school = application.applicant_unit
    issuer = competent_bureau(detail.plaque_kind)
    other = co_signing_bureau(detail.plaque_kind)
    notice = PublicNotice.objects.filter(application=application).order_by("-id").first()
    kind = PlaqueKind(detail.plaque_kind).label

    period = notice_period(notice) if notice is not None else "—"
    publicity = publicity_clause(notice)

    body = [
        {
            "type": "paragraph",
            "text": f"你校关于申请加挂“{detail.plaque_name}”牌子的请示收悉。根据{TASK_2}的要求，"
            f"经我局审核、{other.full_name or other.name}会签、台州市职技融通改革工作领导小组审批，"
            f"{publicity}。现批复如下：",
        },
        {"type": "heading", "level": 1, "text": f"一、同意你校加挂“{detail.plaque_name}”牌子。"},
        {
            "type": "paragraph",
            "text": f"加挂牌子后，你校实行“{school.name}”“{detail.plaque_name}”双挂牌办学，"
            "学校隶属关系、法人登记和经费渠道不变。",
        },
        {"type": "heading", "level": 1, "text": "二、有关要求"},
        {
            "type": "paragraph",
            "text": f"你校要按照{kind}的办学标准加强师资队伍、实训基地和专业建设，"
            "统筹做好招生、教学、学籍和职业技能等级认定等工作，"
            "每年12月底前向市教育局、市人力社保局报送双挂牌办学情况。",
        },
        {
            "type": "table",
            "header": ["项目", "内容"],
            "rows": [
                ["学校名称", school.full_name or school.name],
                ["学校类型", school.get_school_type_display()],
                ["加挂牌子", f"{detail.plaque_name}（{kind}）"],
                ["在校生人数", str(detail.students)],
                ["专任教师人数", str(detail.teachers)],
                ["公示期", period],
            ],
        },
        {"type": "paragraph", "text": "此复。"},
    ]
    return DocumentValue(
        kind="reply",
        issuer=issuer,
        title=f"{issuer.full_name or issuer.name}关于同意{school.name}加挂“{detail.plaque_name}”牌子的批复",
        addressees=(school.full_name or school.name,),
        body=tuple(body),
        cc=(other.full_name or other.name, "台州市职技融通改革工作领导小组办公室"),
    )
