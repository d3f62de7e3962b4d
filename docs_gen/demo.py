"""Issuers (机关代字) and a few issued demo documents. Idempotent."""

from django.db import transaction

from workflows.models import Role, Unit, UnitKind
from workflows.units import ensure_plan_units

from .models import Issuer, OfficialDocument

GOV_OFFICE_CODE = "gov-office"

# unit code -> (机关代字, 发文机关全称, 印发机关)
ISSUERS = {
    "edu": ("台教", "台州市教育局", "台州市教育局办公室"),
    "hrss": ("台人社", "台州市人力资源和社会保障局", "台州市人力资源和社会保障局办公室"),
    "finance": ("台财", "台州市财政局", "台州市财政局办公室"),
    "ndrc": ("台发改", "台州市发展和改革委员会", "台州市发展和改革委员会办公室"),
    "office": (
        "台职技融通办",
        "台州市职技融通改革工作领导小组办公室",
        "台州市职技融通改革工作领导小组办公室",
    ),
    GOV_OFFICE_CODE: ("台政办", "台州市人民政府办公室", "台州市人民政府办公室"),
}


@transaction.atomic
def ensure_issuers() -> dict[str, Issuer]:
    """The plan's bureaus, the office and 台州市人民政府办公室 (issuer of the plan itself)."""
    ensure_plan_units()
    Unit.objects.update_or_create(
        code=GOV_OFFICE_CODE,
        defaults={
            "name": "市政府办公室",
            "full_name": "台州市人民政府办公室",
            "kind": UnitKind.GOVERNMENT,
            "sort_order": 90,
        },
    )
    issuers = {}
    for unit_code, (code, mark_name, printer) in ISSUERS.items():
        unit = Unit.objects.get(code=unit_code)
        issuers[unit_code], _ = Issuer.objects.update_or_create(
            unit=unit, defaults={"code": code, "mark_name": mark_name, "printer": printer}
        )
    return issuers


DEMO_DOCUMENTS = [
    (
        "edu",
        "notice",
        "台州市教育局关于公布2024年职技融通改革试点院校名单的通知",
        ["各县（市、区）教育局", "市直各职业院校"],
        "根据《台州市职技融通改革实施方案》（台政办发〔2022〕11号）要求，经学校申报、专家评审和公示，现将2024年职技融通改革试点院校名单公布如下。\n\n"
        "一、试点院校\n\n台州市第一职业技术学院、台州市第一技师学院等学校列为试点院校。\n\n"
        "二、工作要求\n\n（一）落实改革任务。各试点院校要认真落实学分互认、证书互通等改革任务，按季度报送工作进展。\n\n"
        "特此通知。",
        ["市人力社保局", "市财政局"],
        "此件公开发布",
    ),
    (
        "hrss",
        "reply",
        "台州市人力资源和社会保障局关于同意台州市第一职业技术学校加挂台州市第一技师学院牌子的批复",
        ["台州市第一职业技术学校"],
        "你校《关于申请加挂技师学院牌子的请示》收悉。经研究，现批复如下：\n\n"
        "一、同意你校按程序加挂“台州市第一技师学院”牌子。\n\n"
        "二、请你校按照《台州市职技融通改革实施方案》要求，完善管理制度，统筹做好招生、教学和学籍管理工作。\n\n此复。",
        ["市教育局"],
        "",
    ),
]


def load_demo_documents() -> None:
    """Issuers, then a few documents issued by their leaders (only once)."""
    from django.contrib.auth import get_user_model

    from . import services
    from .text import blocks_from_text

    issuers = ensure_issuers()
    User = get_user_model()
    for unit_code, kind, title, addressees, text, cc, note in DEMO_DOCUMENTS:
        if OfficialDocument.objects.filter(title=title).exists():
            continue
        leader = User.objects.filter(
            memberships__unit__code=unit_code, memberships__role=Role.LEADER
        ).first()
        if leader is None:
            continue
        services.document_issue_for_decision(
            issuer=issuers[unit_code].unit,
            kind=kind,
            title=title,
            addressees=addressees,
            body=blocks_from_text(text),
            cc=cc,
            note=note,
            actor=leader,
            signer=leader,
        )
