"""Competition awards (row 8): the HR bureau's import → its review → the finance bureau's
check against the awards line → the payment list → payment recorded → the 决定 listing every
awardee → one 荣誉证书 per awardee, rendered in bulk by Celery workers.

Each service locks the import's row, compares the version the actor saw (a second actor
gets 409) and writes an audit row in the same transaction.
"""

import hashlib
import json
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docs_gen.values import DocumentValue
from workflows.access import grant_view, is_member
from workflows.cas import expect_version
from workflows.delegation import check_delegated_step, not_their_todo, standing_in
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored
from workflows.models import Role
from workflows.services import audit_record
from workflows.units import unit_by_code

from . import budget
from .awards_import import PreviewRow, preview
from .models import (
    Awardee,
    AwardImport,
    AwardStatus,
    Certificate,
    CertificateStatus,
    Purpose,
    yuan,
)
from .rules import EXPERT, MASTER, ROW_8

SALT = "subsidies.awards.preview"
STALE = _("该批奖励已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")


def _hrss():
    return unit_by_code("hrss")


def _finance():
    return unit_by_code("finance")


def _require(actor, unit, roles=None, what=""):
    if not is_member(actor, unit, roles):
        raise PermissionDenied(_("%(what)s由%(unit)s办理。") % {"what": what, "unit": unit.name})


# what an import waits on at each status: (the step, the unit, the roles; None: any member),
# as the inbox lists it (inbox.awards_inbox)
STEPS = {
    AwardStatus.IMPORTED: (gettext_lazy("奖励名单审核"), _hrss, (Role.HEAD, Role.LEADER)),
    AwardStatus.REVIEWED: (gettext_lazy("奖励资金审核"), _finance, None),
    AwardStatus.FUNDED: (gettext_lazy("登记拨付"), _finance, None),
    AwardStatus.PAID: (gettext_lazy("签发决定"), _hrss, (Role.LEADER,)),
}


def check_delegated(award_import, actor, delegation) -> None:
    """Acting on the import's current step on ``delegation.principal``'s behalf, as the
    applications' review steps do: the step waits on the delegation's unit and on the
    principal there, and the actor holds the step's role there themselves."""
    step = STEPS.get(award_import.status)
    if step is None:
        raise RuleViolation(not_their_todo(award_import.get_status_display(), delegation))
    label, unit_of, roles = step
    unit = unit_of()
    check_delegated_step(
        delegation,
        actor,
        unit=unit,
        principal_waits=is_member(delegation.principal, unit, roles),
        roles=roles,
        step_label=label,
    )


def _on_behalf_check(award_import, actor) -> None:
    """Inside ``acting_for(delegation)``: the delegation must cover the step (above)."""
    delegation = standing_in(actor)
    if delegation is not None:
        check_delegated(award_import, actor, delegation)


def may_import(user) -> bool:
    return is_member(user, _hrss())


# --- import: preview, then confirm ---------------------------------------------------------


def preview_token(rows: list[PreviewRow], *, title: str, source: str) -> str:
    """The preview, signed, carried by the confirm form: nothing is stored before it."""
    return signing.dumps(
        {"rows": [r.as_stored() for r in rows], "title": title, "source": source},
        salt=SALT,
        compress=True,
    )


def sheet_preview(content: bytes) -> list[PreviewRow]:
    return preview(content)


@transaction.atomic
def import_confirm(*, actor, token: str) -> AwardImport:
    """Save a previewed sheet. Refused while any row is invalid (nothing saved); only the
    rows that earn a title are saved, as awardees."""
    _require(actor, _hrss(), what=_("竞赛获奖结果导入"))
    try:
        data = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise RuleViolation(_("「预览」已失效，请重新上传竞赛结果表。"), field="token") from None
    rows = [PreviewRow(**{**r, "amount": Decimal(r["amount"])}) for r in data["rows"]]
    invalid = [r for r in rows if r.error]
    if invalid:
        raise RuleViolation(
            _("竞赛结果表有 %(n)s 行无效（第 %(rows)s 行），请修改后重新导入，本次未保存任何数据。")
            % {"n": len(invalid), "rows": "、".join(str(r.row) for r in invalid[:20])},
            field="token",
        )
    winners = [r for r in rows if r.title]
    if not winners:
        raise RuleViolation(_("竞赛结果表中没有获得称号和奖励的人员，未保存。"), field="token")
    digest = hashlib.sha256(
        json.dumps(data["rows"], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    if AwardImport.objects.filter(digest=digest).exists():
        raise Conflict(_("这份竞赛结果表已经导入过，本次未生效。"))
    competitions = sorted({r.competition for r in winners})
    title = (data.get("title") or "").strip() or "、".join(competitions)[:200]
    award_import = AwardImport.objects.create(
        year=timezone.localdate().year,
        title=title,
        source_name=(data.get("source") or "")[:200],
        digest=digest,
        total=sum((r.amount for r in winners), Decimal("0.00")),
        created_by=actor,
    )
    Awardee.objects.bulk_create(
        [
            Awardee(
                award_import=award_import,
                row=r.row,
                name=r.name,
                id_number=r.id_number,
                unit_name=r.unit,
                competition=r.competition,
                competition_class=r.competition_class,
                place=r.place,
                title=r.title,
                amount=r.amount,
            )
            for r in winners
        ]
    )
    audit_record(
        actor=actor,
        action="awards_imported",
        obj=award_import,
        unit=_hrss(),
        after={"awardees": len(winners), "total": str(award_import.total)},
    )
    return award_import


def _locked(award_import, version) -> AwardImport:
    locked = AwardImport.objects.select_for_update().get(pk=award_import.pk)
    expect_version(locked, version, message=STALE)
    return locked


def _expect(award_import, status):
    if award_import.status != status:
        raise Conflict(STALE)


def _bump(award_import, **fields):
    for k, v in fields.items():
        setattr(award_import, k, v)
    award_import.version += 1
    award_import.save()


# --- review, funding, payment ---------------------------------------------------------------


@transaction.atomic
def award_review(*, award_import, actor, decision: str, opinion: str, version) -> AwardImport:
    """The HR bureau's head or leader reviews the imported list."""
    _require(actor, _hrss(), (Role.HEAD, Role.LEADER), _("奖励名单审核"))
    imp = _locked(award_import, version)
    _expect(imp, AwardStatus.IMPORTED)
    _on_behalf_check(imp, actor)
    return _decide(imp, actor, decision, opinion, AwardStatus.REVIEWED, _hrss())


def _decide(imp, actor, decision, opinion, next_status, unit):
    opinion = (opinion or "").strip()
    if decision == "reject" and not opinion:
        raise RuleViolation(_("选择“不予通过”时，「审核意见」必填，请写明理由。"), field="opinion")
    status = next_status if decision == "approve" else AwardStatus.REJECTED
    _bump(imp, status=status, opinion=opinion)
    audit_record(
        actor=actor,
        action=f"awards_{decision}",
        obj=imp,
        unit=unit,
        after={"status": status},
        note=opinion,
    )
    return imp


@transaction.atomic
def award_fund(*, award_import, actor, decision: str, opinion: str, version) -> AwardImport:
    """The finance bureau checks the total against the year's awards line; approving
    reserves it there under the line's row lock, in this transaction."""
    _require(actor, _finance(), what=_("奖励资金审核"))
    imp = _locked(award_import, version)
    _expect(imp, AwardStatus.REVIEWED)
    _on_behalf_check(imp, actor)
    if decision == "approve":
        budget.reserve(
            year=imp.year,
            purpose=Purpose.AWARDS,
            amount=imp.total,
            actor=actor,
            payee=stored("%(title)s获奖人员（%(n)s 人）", title=imp.title, n=imp.awardees.count()),
            award_import=imp,
        )
    return _decide(imp, actor, decision, opinion, AwardStatus.FUNDED, _finance())


@transaction.atomic
def award_pay(*, award_import, actor, paid_on, voucher: str, version) -> bool:
    """Record the payment of the whole list. Recording it again changes nothing (False)."""
    _require(actor, _finance(), what=_("登记拨付"))
    imp = AwardImport.objects.select_for_update().get(pk=award_import.pk)
    if imp.status in (AwardStatus.PAID, AwardStatus.ISSUED):
        return False  # already recorded: nothing changes
    expect_version(imp, version, message=STALE)
    _expect(imp, AwardStatus.FUNDED)
    _on_behalf_check(imp, actor)
    budget.record_payment(
        reservation=imp.reservation, actor=actor, paid_on=paid_on, voucher=voucher
    )
    _bump(imp, status=AwardStatus.PAID, paid_on=paid_on, voucher=voucher.strip())
    audit_record(
        actor=actor,
        action="awards_paid",
        obj=imp,
        unit=_finance(),
        after={"voucher": voucher, "paid_on": str(paid_on)},
    )
    return True


# --- the 决定 and the certificates -----------------------------------------------------------


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def decision_document(imp: AwardImport) -> DocumentValue:
    hr = _hrss()
    awardees = list(imp.awardees.order_by("-amount", "competition", "place", "row"))
    masters = [a for a in awardees if a.title == MASTER]
    experts = [a for a in awardees if a.title == EXPERT]
    body = [
        {
            "type": "paragraph",
            "text": (
                f"根据{ROW_8}“对市职业技能一类竞赛第一名获得者授予‘台州技能大师’称号，并给予1万元奖励；"
                "对市职业技能一类竞赛前二至五名获得者、二类竞赛前三名获得者授予‘台州市技术能手’称号，"
                f"分别给予5000元奖励”的规定，经市人力社保局审核、市财政局核拨，决定授予{len(masters)}名同志"
                f"“台州技能大师”称号、{len(experts)}名同志“台州市技术能手”称号，并给予奖励，"
                f"奖励资金共计{imp.total:,.2f}元。名单如下："
            ),
        },
    ]
    # one table per competition, five columns that fit the 156 mm text block; the ID number
    # is not needed to name an awardee in a public decision (the payment list carries it)
    competitions: dict[str, list] = {}
    for a in sorted(awardees, key=lambda a: (a.competition, a.place, a.row)):
        competitions.setdefault(a.competition, []).append(a)
    for number, (competition, people) in enumerate(competitions.items(), start=1):
        klass = people[0].competition_class
        body.append(
            {
                "type": "heading",
                "level": 2,
                "text": f"（{_cn_number(number)}）{competition}（{klass}）",
            }
        )
        body.append(
            {
                "type": "table",
                "header": ["名次", "姓名", "工作单位", "称号", "奖金（元）"],
                "widths": [9, 14, 35, 28, 14],
                "rows": [
                    [str(a.place), a.name, a.unit_name, a.title, f"{a.amount:,.0f}"] for a in people
                ],
            }
        )
    body += [
        {
            "type": "paragraph",
            "text": (
                "希望受表彰的同志珍惜荣誉，再接再厉，在技能岗位上发挥示范引领作用。"
                "全市广大职工要以他们为榜样，钻研技术、提升技能，为台州高质量发展贡献力量。"
            ),
        },
    ]
    names = f"“{MASTER}”“{EXPERT}”" if masters and experts else f"“{MASTER if masters else EXPERT}”"
    return DocumentValue(
        kind="decision",
        issuer=hr,
        title=f"{hr.full_name or hr.name}关于授予{imp.title}获奖选手{names}称号的决定",
        addressees=("各县（市、区）人力社保局", "市级有关单位"),
        body=tuple(body),
        cc=("台州市财政局",),
    )


@transaction.atomic
def award_issue(*, award_import, actor, version) -> AwardImport:
    """The HR bureau's leader signs the 决定 off; every awardee's certificate is queued."""
    from docs_gen.services import document_issue_value

    _require(actor, _hrss(), (Role.LEADER,), _("签发决定"))
    imp = _locked(award_import, version)
    _expect(imp, AwardStatus.PAID)
    _on_behalf_check(imp, actor)
    imp.document = document_issue_value(decision_document(imp), actor=actor, source=imp)
    grant_view(imp.document, [_finance()])
    _bump(imp, status=AwardStatus.ISSUED)
    audit_record(
        actor=actor,
        action="awards_issued",
        obj=imp,
        unit=_hrss(),
        after={"title": imp.document.title},
    )
    certificates_issue(award_import=imp)
    return imp


def certificate_number(imp: AwardImport, index: int) -> str:
    return f"台人社荣证〔{imp.year}〕{imp.pk:04d}-{index:04d}号"


@transaction.atomic
def certificates_issue(*, award_import) -> int:
    """One certificate per awardee, queued for rendering. Issuing again issues nothing new
    (returns how many were created now)."""
    imp = AwardImport.objects.select_for_update().get(pk=award_import.pk)
    if imp.status != AwardStatus.ISSUED:
        raise Conflict(STALE)
    have = set(
        Certificate.objects.filter(awardee__award_import=imp).values_list("awardee_id", flat=True)
    )
    # under the import's row lock nobody else issues these; the unique awardee column
    # (one certificate per awardee) would refuse a second one in any case
    created = Certificate.objects.bulk_create(
        [
            Certificate(awardee=awardee, number=certificate_number(imp, index))
            for index, awardee in enumerate(imp.awardees.order_by("row"), start=1)
            if awardee.pk not in have
        ],
        batch_size=500,
    )
    if created and created[0].pk is None:  # a backend that returns no ids (not PostgreSQL)
        created = list(
            Certificate.objects.filter(
                awardee__award_import=imp, number__in=[c.number for c in created]
            )
        )
    ids = [c.pk for c in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return len(created)


CHUNK = 10


def _queue(ids: list[int]) -> None:
    from .tasks import render_certificates

    for start in range(0, len(ids), CHUNK):
        render_certificates.delay(ids[start : start + CHUNK])


@transaction.atomic
def certificate_retry(*, certificate, actor) -> Certificate:
    _require(actor, _hrss(), what=_("重新生成证书"))
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.status != CertificateStatus.FAILED:
        raise Conflict(_("该证书不是生成失败状态，无需重新生成。"))
    cert.status, cert.error = CertificateStatus.QUEUED, ""
    cert.save(update_fields=["status", "error"])
    transaction.on_commit(lambda: _queue([cert.pk]))
    return cert


@transaction.atomic
def certificates_retry_failed(*, award_import, actor) -> int:
    _require(actor, _hrss(), what=_("重新生成证书"))
    failed = list(
        Certificate.objects.select_for_update().filter(
            awardee__award_import=award_import, status=CertificateStatus.FAILED
        )
    )
    for cert in failed:
        cert.status, cert.error = CertificateStatus.QUEUED, ""
        cert.save(update_fields=["status", "error"])
    ids = [c.pk for c in failed]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return len(ids)


def progress(imp: AwardImport) -> dict:
    certs = Certificate.objects.filter(awardee__award_import=imp)
    total = imp.awardees.count()
    done = certs.filter(status=CertificateStatus.DONE).count()
    failed = list(certs.filter(status=CertificateStatus.FAILED).select_related("awardee"))
    return {
        "total": total,
        "issued": certs.count(),
        "done": done,
        "failed": failed,
        "queued": certs.filter(status=CertificateStatus.QUEUED).count(),
        "percent": int(done * 100 / total) if total else 0,
    }


def certificate_render(certificate_id: int) -> Certificate | None:
    """Render one certificate's PDF. Idempotent (a rendered one is left alone); two workers
    are serialised by the row lock; a failure is stored for the HR bureau to retry."""
    import time

    from django.core.files.base import ContentFile

    from .certificates import render_certificate

    try:
        with transaction.atomic():
            cert = (
                Certificate.objects.select_for_update()
                .select_related("awardee__award_import")
                .filter(pk=certificate_id)
                .first()
            )
            if cert is None or cert.status == CertificateStatus.DONE:
                return cert
            started = time.perf_counter()
            pdf = render_certificate(cert)
            name = f"{cert.public_id}.pdf"
            path = cert.pdf.field.generate_filename(cert, name)
            if cert.pdf.storage.exists(path):
                cert.pdf.storage.delete(path)
            cert.pdf.save(name, ContentFile(pdf), save=False)
            cert.sha256 = hashlib.sha256(pdf).hexdigest()
            cert.status = CertificateStatus.DONE
            cert.error = ""
            cert.attempts += 1
            cert.rendered_at = timezone.now()
            cert.render_seconds = round(time.perf_counter() - started, 3)
            cert.save()
            return cert
    except Exception as exc:  # noqa: BLE001 - stored for the HR bureau, who may retry
        from django.db.models import F

        Certificate.objects.filter(pk=certificate_id).update(
            status=CertificateStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            attempts=F("attempts") + 1,
        )
        return Certificate.objects.filter(pk=certificate_id).first()


def payment_list_xlsx(imp: AwardImport, *, full_ids: bool = False) -> bytes:
    """The finance bureau's payment list: name, ID (masked unless the finance bureau asks for
    it in full, for the bank), unit, amount; the account fields left blank for the bank."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "奖励发放名单"
    ws.append([f"{imp.title} 奖励发放名单（共 {imp.awardees.count()} 人，合计 {yuan(imp.total)}）"])
    ws.append(
        [
            "序号",
            "姓名",
            "证件号码",
            "工作单位",
            "称号",
            "金额（元）",
            "开户银行",
            "银行账号",
            "备注",
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, a in enumerate(imp.awardees.order_by("row"), start=1):
        ws.append(
            [
                i,
                a.name,
                a.id_number if full_ids else a.id_masked,
                a.unit_name,
                a.title,
                a.amount,
                "",
                "",
                "",
            ]
        )
        ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
    ws.append(["", "合计", "", "", "", imp.total, "", "", ""])
    ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHI", (6, 10, 22, 28, 16, 14, 20, 24, 10), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
