"""Budget lines (the finance bureau's): reserve an approved amount under the line's row lock,
in the caller's transaction, and record its payment. A line is never overspent."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.access import is_member
from workflows.cas import expect_version
from workflows.exceptions import Conflict, RuleViolation
from workflows.services import audit_record
from workflows.units import unit_by_code

from .models import BudgetLine, Purpose, Reservation, yuan


def _require_finance(actor) -> None:
    from django.core.exceptions import PermissionDenied

    if not is_member(actor, unit_by_code("finance")):
        raise PermissionDenied(_("预算指标由市财政局管理。"))


@transaction.atomic
def line_save(
    *,
    actor,
    year: int,
    purpose: str,
    amount: Decimal,
    note: str = "",
    line=None,
    version: int | None = None,
) -> BudgetLine:
    """Create a year's line for a purpose, or change its amount (never below what is allocated)."""
    _require_finance(actor)
    if line is None:
        if BudgetLine.objects.filter(year=year, purpose=purpose).exists():
            raise RuleViolation(
                _("「用途」%(year)s 年度的%(purpose)s预算指标已存在，请修改原指标。")
                % {"year": year, "purpose": Purpose(purpose).label},
                field="purpose",
            )
        line = BudgetLine.objects.create(year=year, purpose=purpose, amount=amount, note=note)
        audit_record(
            actor=actor,
            action="budget_line_created",
            obj=line,
            unit=unit_by_code("finance"),
            after={"amount": str(amount)},
        )
        return line
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    expect_version(line, version)
    if amount < line.allocated:
        raise RuleViolation(
            _("「预算金额」不能低于已安排的 %(a)s。") % {"a": yuan(line.allocated)}, field="amount"
        )
    before = str(line.amount)
    line.amount, line.note = amount, note
    line.version += 1
    line.save()
    audit_record(
        actor=actor,
        action="budget_line_changed",
        obj=line,
        unit=unit_by_code("finance"),
        before={"amount": before},
        after={"amount": str(amount)},
    )
    return line


def reserve(
    *,
    year: int,
    purpose: str,
    amount: Decimal,
    actor,
    payee: str,
    application=None,
    award_import=None,
) -> Reservation:
    """Reserve ``amount`` on the year's line for ``purpose``. Must run inside the approval's
    transaction: the line's row lock (SELECT … FOR UPDATE) is held until it commits, so two
    approvals racing for the same line are served one after the other, each seeing what the
    other reserved."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve() runs inside the approval's transaction")
    line = BudgetLine.objects.select_for_update().filter(year=year, purpose=purpose).first()
    label = _("%(year)s年度%(purpose)s") % {"year": year, "purpose": Purpose(purpose).label}
    if line is None:
        raise RuleViolation(
            _("没有「%(line)s」预算指标，请市财政局先下达。") % {"line": label}, field="amount"
        )
    if amount > line.remaining:
        raise RuleViolation(
            _(
                "「%(line)s」预算指标余额不足：本次需 %(need)s，剩余 %(left)s（预算 %(total)s，已安排 %(used)s）。"
            )
            % {
                "line": label,
                "need": yuan(amount),
                "left": yuan(line.remaining),
                "total": yuan(line.amount),
                "used": yuan(line.allocated),
            },
            field="amount",
        )
    BudgetLine.objects.filter(pk=line.pk).update(
        allocated=F("allocated") + amount, version=F("version") + 1
    )
    reservation = Reservation.objects.create(
        line=line,
        application=application,
        award_import=award_import,
        payee=payee,
        amount=amount,
        reserved_by=actor,
    )
    audit_record(
        actor=actor,
        action="budget_reserved",
        obj=line,
        unit=unit_by_code("finance"),
        after={"amount": str(amount), "payee": payee},
    )
    return reservation


def record_payment(*, reservation: Reservation, actor, paid_on, voucher: str) -> bool:
    """Record that the reserved amount was paid (date, voucher). Recording it again changes
    nothing (returns False). Runs in the caller's transaction."""
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.is_paid:
        return False
    voucher = (voucher or "").strip()
    if not voucher:
        raise RuleViolation(_("「凭证号」必填。"), field="voucher")
    if paid_on > timezone.localdate():
        raise RuleViolation(_("「拨付日期」不能晚于今天。"), field="paid_on")
    line = BudgetLine.objects.select_for_update().get(pk=reservation.line_id)
    if line.paid + reservation.amount > line.allocated:
        raise Conflict(_("预算指标数据不一致，本次拨付未生效。"))
    BudgetLine.objects.filter(pk=line.pk).update(
        paid=F("paid") + reservation.amount, version=F("version") + 1
    )
    reservation.paid_on, reservation.voucher, reservation.paid_by = paid_on, voucher, actor
    reservation.save()
    audit_record(
        actor=actor,
        action="budget_paid",
        obj=line,
        unit=unit_by_code("finance"),
        after={"amount": str(reservation.amount), "voucher": voucher, "paid_on": str(paid_on)},
    )
    return True


def granted_and_paid(purpose: str, year: int) -> dict:
    from django.db.models import Sum

    qs = Reservation.objects.filter(line__purpose=purpose, line__year=year)
    total = qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    paid = qs.filter(paid_on__isnull=False).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return {
        "granted": total,
        "paid": paid,
        "granted_count": qs.count(),
        "paid_count": qs.filter(paid_on__isnull=False).count(),
    }
