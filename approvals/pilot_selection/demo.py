"""Demo pilot selection rounds: one decided and issued (its joint 通知), one in scoring.
Idempotent: a round whose name exists is left alone."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from approvals.common import services as kernel
from approvals.common.models import PublicNotice, Round
from workflows.models import Expert, Unit
from workflows.workdays import working_period

from . import services
from .models import PanelAssignment, PilotRound
from .rules import CODE

User = get_user_model()

CRITERIA = [
    {"name": "办学基础", "max": 20, "weight": 20},
    {"name": "专业与产业对接", "max": 20, "weight": 25},
    {"name": "“双师型”师资", "max": 20, "weight": 20},
    {"name": "校企合作与社会培训", "max": 20, "weight": 15},
    {"name": "职技融通工作基础", "max": 20, "weight": 20},
]
EXTRA_EXPERTS = (
    ("expert5", "郑", "国强", "职业技能鉴定", "高级技师"),
    ("expert6", "孙", "雅琴", "电子商务", "副教授"),
)
# each school's marks out of 20 per criterion, around which the experts vary
DECIDED = (("s01", 17), ("s02", 15), ("s11", 16), ("s12", 12))
SCORING = (("s06", 16), ("s07", 14), ("s09", 15))


def _user(username):
    return User.objects.get(username=username)


def _experts():
    for username, last, first, field, title in EXTRA_EXPERTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": last, "first_name": first}
        )
        if created:
            from workflows.demo import DEMO_PASSWORD

            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Expert.objects.get_or_create(user=user, defaults={"field": field, "title": title})
    return list(Expert.objects.filter(active=True).order_by("user__username")[:5])


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _apply(round_, code):
    school = Unit.objects.get(code=code)
    handler, head = _user(f"{code}-handler"), _user(f"{code}-head")
    app = services.application_start(round=round_, actor=handler, school=school)
    data = {
        "round_ref": str(round_.public_id),
        "contact_name": "李明",
        "contact_phone": "0576-88990000",
    }
    for index, c in enumerate(round_.criteria, start=1):
        data[f"statement_{index}"] = (
            f"{school.name}在“{c['name']}”方面：近三年建成省级以上实训基地 2 个，"
            "与区域重点产业企业共建订单班 6 个，相关成果已在附件中列明。"
        )
    uploads = [
        SimpleUploadedFile(f"{name}.pdf", _blank_pdf(), "application/pdf")
        for name in round_.pilot.required_attachments
    ]
    kernel.application_save(application=app, actor=handler, data=data, uploads=uploads)
    kernel.application_submit(application=app, actor=head)
    app.refresh_from_db()
    return app


def _pass(app):
    for username in ("edu-handler", "hrss-handler"):
        app.refresh_from_db()
        kernel.application_decide(
            application=app,
            actor=_user(username),
            decision="approve",
            opinion="符合申报条件。",
            version=app.version,
        )
    app.refresh_from_db()


def _marks(base, offset):
    return [Decimal(base) + Decimal((offset * 3 + i) % 5 - 2) / 2 for i in range(5)]


def _open(name, year, quota, *, deadline_days):
    now = timezone.now()
    return services.round_open(
        actor=_user("edu-handler"),
        year=year,
        name=name,
        quota=quota,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=30),
        criteria=CRITERIA,
        required_attachments=["试点院校申报书", "佐证材料"],
        scoring_deadline=now + datetime.timedelta(days=30 + deadline_days),
    )


def _score_all(round_, marks, *, skip=()):
    for offset, a in enumerate(
        PanelAssignment.objects.filter(application__round=round_, status="assigned")
        .select_related("expert__user", "application__applicant_unit")
        .order_by("id")
    ):
        if a.expert.user.username in skip:
            continue
        base = marks[a.application.applicant_unit.code]
        values = _marks(base, offset)
        services.scores_save(
            assignment=a,
            actor=a.expert.user,
            scores={c["name"]: v for c, v in zip(round_.criteria, values, strict=True)},
            comment="材料翔实，基础较好。",
            submit=True,
            version=a.version,
        )


def _close_window(round_, days_ago=1):
    Round.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    round_.refresh_from_db()


def load_demo_rounds() -> None:
    from docs_gen.demo import ensure_issuers

    ensure_issuers()
    experts = _experts()
    year = timezone.localdate().year
    decided_name = f"{year - 1}年度职技融通改革试点院校遴选"
    if not Round.objects.filter(procedure=CODE, name=decided_name).exists():
        round_ = _open(decided_name, year - 1, 2, deadline_days=10)
        apps = {code: _apply(round_, code) for code, _m in DECIDED}
        for code, app in apps.items():
            if code == "s12":
                app.refresh_from_db()
                kernel.application_decide(
                    application=app,
                    actor=_user("hrss-handler"),
                    decision="reject",
                    opinion="学校近三年未开展职业技能等级认定工作，不符合申报条件。",
                    version=app.version,
                )
                continue
            _pass(app)
        round_.refresh_from_db()
        services.panel_assign(
            round=round_, actor=_user("office-handler"), experts=experts, version=round_.version
        )
        _score_all(round_, dict(DECIDED))
        _close_window(round_)
        ranked = services.ranking(round_)
        services.round_decide(
            round=round_,
            actor=_user("leading-group-leader"),
            selected_ids=[r.key.public_id for r in ranked[:2]],
            reason="",
            version=round_.version,
        )
        notice = PublicNotice.objects.get(round=round_)
        first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
        PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
        kernel.public_notice_close_if_due(notice_id=notice.pk)
        round_.refresh_from_db()
        services.round_countersign(round=round_, actor=_user("hrss-leader"), version=round_.version)
        round_.refresh_from_db()
        services.round_issue_result(round=round_, actor=_user("edu-leader"), version=round_.version)
    scoring_name = f"{year}年度职技融通改革试点院校遴选"
    if not Round.objects.filter(procedure=CODE, name=scoring_name).exists():
        round_ = _open(scoring_name, year, 2, deadline_days=7)
        apps = [_apply(round_, code) for code, _m in SCORING]
        for app in apps:
            _pass(app)
        round_.refresh_from_db()
        services.panel_assign(
            round=round_, actor=_user("office-handler"), experts=experts, version=round_.version
        )
        # two experts have submitted; the others (expert3, expert4, expert5) have yet to score
        _score_all(round_, dict(SCORING), skip=("expert3", "expert4", "expert5"))
        _close_window(round_)
        PilotRound.objects.filter(round=round_).update(
            scoring_deadline=timezone.now() + datetime.timedelta(days=7)
        )
