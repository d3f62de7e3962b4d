"""Demo data for subsidies and awards (rows 8, 10, 13). Idempotent: each part is skipped
when it exists already.

Hosting units (an enterprise and an association) with a handler, head and leader each; this
year's budget lines and apprenticeship rates; hosting, apprenticeship and social-training
applications in different states; an awards sheet imported and waiting for the HR head.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from approvals.common import services
from approvals.common.models import Application
from workflows.demo import _demo_user
from workflows.models import ACTING_ROLES, Membership, Role, Unit, UnitKind

from . import awards, budget, rates
from .idnumbers import check_digit
from .models import ApprenticeshipRate, AwardImport, BudgetLine, Purpose

User = get_user_model()

HOSTING_UNITS = (
    ("e01", "台州市精工机械有限公司", UnitKind.ENTERPRISE, "蒋"),
    ("e02", "台州市海科汽车零部件有限公司", UnitKind.ENTERPRISE, "沈"),
    ("a01", "台州市机械行业协会", UnitKind.ASSOCIATION, "韩"),
)
GIVEN = {Role.HANDLER: "晓明", Role.HEAD: "建国", Role.LEADER: "志强"}


def _demo_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _user(username):
    return User.objects.get(username=username)


def _id(serial: int) -> str:
    first = f"33100219{80 + serial % 15:02d}0{1 + serial % 9}1{serial % 10}{serial % 1000:03d}"
    return first + check_digit(first)


def _hosting_units() -> None:
    for order, (code, name, kind, surname) in enumerate(HOSTING_UNITS, start=300):
        unit, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "full_name": name, "kind": kind, "sort_order": order}
        )
        for role in ACTING_ROLES:
            user = _demo_user(f"{code}-{role.value}", surname, GIVEN[role])
            Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": role})


def _lines(year) -> None:
    finance = _user("finance-handler")
    for purpose, amount in (
        (Purpose.HOSTING, "300000"),
        (Purpose.AWARDS, "200000"),
        (Purpose.APPRENTICESHIP, "500000"),
    ):
        if not BudgetLine.objects.filter(year=year, purpose=purpose).exists():
            budget.line_save(
                actor=finance, year=year, purpose=purpose, amount=Decimal(amount), note="演示数据"
            )
    for kind, rate in (("modern", "1500.00"), ("enterprise", "2000.00")):
        if not ApprenticeshipRate.objects.filter(year=year, programme_kind=kind).exists():
            rates.rate_save(actor=finance, year=year, programme_kind=kind, rate=Decimal(rate))


def _apply(code, unit_code, data):
    unit = Unit.objects.get(code=unit_code)
    handler = _user(f"{unit_code}-handler")
    app = services.application_create(procedure_code=code, unit=unit, actor=handler)
    services.application_save(
        application=app,
        actor=handler,
        data=data,
        uploads=[SimpleUploadedFile("申请材料.pdf", _demo_pdf(), "application/pdf")],
    )
    return app


def _act(app, username, **cleaned):
    app.refresh_from_db()
    services.step_act(application=app, actor=_user(username), cleaned=cleaned, version=app.version)


def _applications(year) -> None:
    today = timezone.localdate()
    for unit_code, competition, state in (
        ("e01", f"{year}年台州市职业技能大赛数控车工项目", "payment"),
        ("a01", f"{year}年台州市职业技能大赛焊工项目", "hr_review"),
        ("s06", f"{year}年台州市职业技能大赛电工项目", "draft"),
    ):
        unit = Unit.objects.get(code=unit_code)
        if Application.objects.filter(procedure="hosting", applicant_unit=unit).exists():
            continue
        app = _apply(
            "hosting",
            unit_code,
            {
                "competition": competition,
                "competition_class": "一类",
                "starts_on": f"{year}-05-20",
                "ends_on": f"{year}-05-22",
                "events": "3",
                "participants": "120",
                "budget_cost": "80000.00",
                "actual_cost": "76500.00",
                "contact_name": "蒋晓明",
                "contact_phone": "0576-88123456",
            },
        )
        if state == "draft":
            continue
        services.application_submit(application=app, actor=_user(f"{unit_code}-head"))
        if state == "hr_review":
            continue
        _act(
            app,
            "hrss-handler",
            decision="approve",
            opinion="材料齐全，同意。",
            amount=Decimal("50000.00"),
        )
        _act(app, "finance-handler", decision="approve", opinion="")
    for unit_code, kind, n in (
        ("s01", "modern", "40"),
        ("s06", "modern", "40"),
        ("s07", "enterprise", "25"),
    ):
        unit = Unit.objects.get(code=unit_code)
        if Application.objects.filter(procedure="apprenticeship", applicant_unit=unit).exists():
            continue
        app = _apply(
            "apprenticeship",
            unit_code,
            {
                "year": str(year),
                "programme_kind": kind,
                "cohort": f"{year}级数控技术学徒班",
                "apprentices": n,
                "partner": "台州市精工机械有限公司",
                "contact_name": "王晓明",
                "contact_phone": "0576-88661234",
            },
        )
        services.application_submit(application=app, actor=_user(f"{unit_code}-head"))
        _act(app, "hrss-handler", decision="approve", opinion="")
        if unit_code == "s07":
            continue
        _act(app, "finance-handler", decision="approve", opinion="")
        _act(app, "finance-handler", paid_on=today, voucher=f"记-{year}-{unit_code}")
    unit = Unit.objects.get(code="s02")
    if not Application.objects.filter(procedure="social_training", applicant_unit=unit).exists():
        app = _apply(
            "social_training",
            "s02",
            {
                "project": "数控车工（四级）社会化培训",
                "recognition": f"台人社培〔{year}〕12号",
                "starts_on": f"{year}-07-01",
                "ends_on": f"{year}-07-30",
                "income": "100000.00",
                "costs": "50000.00",
                "remuneration": "32000.00",
                "staff": "王晓明 教师 40课时\n李建国 管理人员 20课时",
                "hours": "60",
            },
        )
        services.application_submit(application=app, actor=_user("s02-head"))


def _awards(year) -> None:
    if AwardImport.objects.exists():
        return
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "证件号码", "工作单位", "竞赛名称", "竞赛类别", "名次"])
    people = ("陈立新", "林海燕", "周文博", "吴嘉怡", "郑浩然", "王思远", "李雨桐", "赵子涵")
    for i, name in enumerate(people, start=1):
        ws.append(
            [
                i,
                name,
                _id(i),
                "台州市精工机械有限公司" if i % 2 else "台州市第一技工学校",
                f"{year}年台州市职业技能大赛数控车工项目",
                "一类",
                i,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    rows = awards.sheet_preview(out.getvalue())
    awards.import_confirm(
        actor=_user("hrss-handler"),
        token=awards.preview_token(rows, title="", source="数控车工项目成绩.xlsx"),
    )


@transaction.atomic
def load_demo_subsidies() -> None:
    year = timezone.localdate().year
    _hosting_units()
    _lines(year)
    _applications(year)
    _awards(year)
