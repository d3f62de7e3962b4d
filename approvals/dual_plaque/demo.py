"""Demo dual-plaque applications in different states. Idempotent: a school that
already has a dual-plaque application is left alone."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from workflows.models import Unit
from workflows.workdays import working_period

from ..common import services
from ..common.models import Application, PublicNotice

User = get_user_model()


def _demo_pdf() -> bytes:
    """A blank one-page A4 PDF: the demo's supporting document (it passes the attachment checks)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# school code, plaque kind, plaque name, the state to drive it to
DEMO_APPLICATIONS = (
    ("s03", "technician_college", "台州市第三技师学院", "draft"),
    ("s04", "technician_college", "台州市第四技师学院", "competent_review"),
    ("s05", "senior_technical", "台州市第五高级技工学校", "returned"),
    ("s07", "vocational", "台州市第七职业技术学校", "cosign"),
    ("s09", "vocational", "台州市第九职业技术学校", "publicity"),
    ("s10", "vocational", "台州市第十职业技术学校", "approved"),
    ("s08", "vocational", "台州市第八职业技术学校", "rejected"),
)


def _user(username):
    return User.objects.get(username=username)


def _data(school, kind, name):
    return {
        "plaque_kind": kind,
        "plaque_name": name,
        "reason": f"{school.name}办学基础扎实，骨干专业与区域制造业紧密对接，"
        f"申请加挂“{name}”牌子，推进职技融通、贯通培养。",
        "conditions": "校园占地 180 亩，建筑面积 9 万平方米；实训工位 1300 个，"
        "设备总值 6800 万元；双师型教师占专任教师 62%。",
        "students": "2860",
        "teachers": "196",
        "contact_name": "王晓明",
        "contact_phone": "0576-88661234",
    }


def _decide(app, username, decision="approve", opinion=""):
    app.refresh_from_db()
    services.application_decide(
        application=app,
        actor=_user(username),
        decision=decision,
        opinion=opinion,
        version=app.version,
    )


def load_demo_applications() -> None:
    from docs_gen.demo import ensure_issuers

    ensure_issuers()  # the approved example's reply is an official document
    for code, kind, name, state in DEMO_APPLICATIONS:
        school = Unit.objects.filter(code=code).first()
        if (
            school is None
            or Application.objects.filter(applicant_unit=school, procedure="dual_plaque").exists()
        ):
            continue
        handler, head = _user(f"{code}-handler"), _user(f"{code}-head")
        app = services.application_create(
            procedure_code="dual_plaque", school=school, actor=handler
        )
        services.application_save(
            application=app,
            actor=handler,
            data=_data(school, kind, name),
            uploads=[
                SimpleUploadedFile("关于申请加挂牌子的请示.pdf", _demo_pdf(), "application/pdf")
            ],
        )
        if state == "draft":
            continue
        services.application_submit(application=app, actor=head)
        competent = "hrss" if kind != "vocational" else "edu"
        other = "edu" if competent == "hrss" else "hrss"
        if state == "competent_review":
            continue
        if state == "returned":
            _decide(
                app,
                f"{competent}-handler",
                "return",
                "请补充近三年技能竞赛获奖和职业技能等级认定情况。",
            )
            continue
        if state == "rejected":
            _decide(
                app,
                f"{competent}-handler",
                "reject",
                "学校在校生规模和专任教师数量未达到所申请牌子的设置标准。",
            )
            continue
        _decide(app, f"{competent}-handler", opinion="材料齐全，符合条件，同意。")
        if state == "cosign":
            continue
        _decide(app, f"{other}-handler", opinion="同意。")
        _decide(app, "leading-group-leader", opinion="同意，按程序公示。")
        app.refresh_from_db()
        notice = app.latest_notice
        if state == "publicity":
            services.objection_lodge(
                notice=notice,
                name="陈先生",
                contact="13900000000",
                reason="该校实训场地部分为租用，是否满足牌子设置的场地要求，请核实。",
            )
            continue
        # the demo's approved application had its notice two weeks ago
        first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
        PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
        services.public_notice_close_if_due(notice_id=notice.pk)
        app.refresh_from_db()
        services.application_issue(
            application=app, actor=_user(f"{competent}-leader"), version=app.version
        )
