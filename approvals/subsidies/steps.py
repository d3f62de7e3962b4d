"""Steps of the subsidy procedures: the kernel's review, sign-off and issue steps, and three
kinds of their own — the HR bureau's review that sets an amount, the finance bureau's budget
check (the amount reserved on its line under the line's row lock, in the approval's
transaction) and the payment (date and voucher; recording twice changes nothing)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.models import ReviewDecision
from approvals.common.steps import (
    _REVIEW_OUTCOME,
    APPROVED,
    AmendStep,
    CosignStep,
    IssueStep,
    Outcome,
    ReviewStep,
    Step,
)
from workflows.exceptions import Conflict
from workflows.i18n import stored as _stored
from workflows.models import Role
from workflows.services import audit_record
from workflows.units import unit_by_code

from . import budget
from .forms import AmountDecisionForm, BudgetDecisionForm, PaymentForm
from .models import yuan
from .rules import check_hosting_amount


def hrss(app):
    return [unit_by_code("hrss")]


def finance(app):
    return [unit_by_code("finance")]


def hrss_and_finance(app):
    return [unit_by_code("hrss"), unit_by_code("finance")]


class AmountReviewStep(ReviewStep):
    """The HR bureau reviews and sets the amount (within row 8's range for a hosting subsidy)."""

    kind = "amount_review"
    form_class = AmountDecisionForm
    template = "subsidies/steps/amount_review.html"
    action_labels = {
        "amount_review_approve": gettext_lazy("审核同意并核定金额"),
        "amount_review_return": gettext_lazy("退回修改"),
        "amount_review_reject": gettext_lazy("不予通过"),
    }
    negative_actions = ("amount_review_return", "amount_review_reject")

    def act(self, run, cleaned):
        decision, opinion = self._decision(cleaned)
        if decision == ReviewDecision.APPROVE:
            amount = cleaned.get("amount")
            check_hosting_amount(amount)
            run.procedure.set_amount(run.application, amount)
            # stored, so Chinese whatever language the reviewer reads (workflows.i18n)
            noted = _stored("核定金额 %(a)s。", a=yuan(amount))
            opinion = f"{opinion} {noted}" if opinion else noted
        self.record(run, decision, opinion)
        return Outcome(_REVIEW_OUTCOME[decision], opinion)


class BudgetCheckStep(ReviewStep):
    """The finance bureau checks the amount against the year's line for the procedure's
    purpose; approving reserves it there (``budget.reserve``), in this transaction."""

    kind = "budget_check"
    form_class = BudgetDecisionForm
    template = "subsidies/steps/budget_check.html"
    history_template = "subsidies/steps/budget_history.html"
    action_labels = {
        "budget_check_approve": gettext_lazy("预算审核同意"),
        "budget_check_return": gettext_lazy("退回修改"),
        "budget_check_reject": gettext_lazy("不予核拨"),
    }
    negative_actions = ("budget_check_return", "budget_check_reject")

    def act(self, run, cleaned):
        decision, opinion = self._decision(cleaned)
        if decision == ReviewDecision.APPROVE:
            procedure, app = run.procedure, run.application
            amount = procedure.grant_amount(app)
            budget.reserve(
                year=procedure.budget_year(app),
                purpose=procedure.budget_purpose,
                amount=amount,
                actor=run.actor,
                payee=app.applicant_unit.name,
                application=app,
            )
        self.record(run, decision, opinion)
        return Outcome(_REVIEW_OUTCOME[decision], opinion)

    def action_context(self, application, user):
        from .models import BudgetLine

        procedure = self.procedure
        try:
            amount = procedure.grant_amount(application)
            error = ""
        except Exception as exc:  # noqa: BLE001 - shown to the finance bureau as it is
            amount, error = None, getattr(exc, "message", str(exc))
        line = BudgetLine.objects.filter(
            year=procedure.budget_year(application), purpose=procedure.budget_purpose
        ).first()
        return {
            **super().action_context(application, user),
            "amount": amount,
            "line": line,
            "amount_error": error,
        }

    def history(self, application, user):
        from .models import Reservation

        reservation = Reservation.objects.filter(application=application).first()
        return {"reservation": reservation} if reservation else None


class PaymentStep(Step):
    """The finance bureau records the payment: date and voucher number."""

    kind = "payment"
    status = "in_review"
    form_class = PaymentForm
    template = "subsidies/steps/payment.html"
    done_message = gettext_lazy("拨付已登记。")
    action_labels = {"payment_recorded": gettext_lazy("登记拨付")}

    def new_form(self, application):
        from django.utils import timezone

        return self.form_class(
            initial={"version": application.version, "paid_on": timezone.localdate()}
        )

    def act(self, run, cleaned):
        from .models import Reservation

        reservation = Reservation.objects.filter(application=run.application).first()
        if reservation is None:
            raise Conflict(_("该申请尚未在预算指标中安排资金，不能登记拨付。"))
        budget.record_payment(
            reservation=reservation,
            actor=run.actor,
            paid_on=cleaned["paid_on"],
            voucher=cleaned["voucher"],
        )
        audit_record(
            actor=run.actor,
            action="payment_recorded",
            obj=run.application,
            unit=run.unit,
            after={"voucher": cleaned["voucher"], "paid_on": str(cleaned["paid_on"])},
        )
        return Outcome(APPROVED)

    def action_context(self, application, user):
        from .models import Reservation

        return {"reservation": Reservation.objects.filter(application=application).first()}


HOSTING_STEPS = (
    AmountReviewStep("hr_review", gettext_lazy("人力社保局审核"), hrss),
    BudgetCheckStep("budget_check", gettext_lazy("财政局预算审核"), finance),
    PaymentStep("payment", gettext_lazy("财政局拨付"), finance),
    IssueStep(
        "issue_notice",
        gettext_lazy("印发通知"),
        hrss,
        roles=(Role.LEADER,),
        document_label=gettext_lazy("通知"),
    ),
    AmendStep("amend", gettext_lazy("退回申请单位修改")),
)

APPRENTICESHIP_STEPS = (
    ReviewStep("hr_review", gettext_lazy("人力社保局审核"), hrss),
    BudgetCheckStep("budget_check", gettext_lazy("财政局预算审核"), finance),
    PaymentStep("payment", gettext_lazy("财政局拨付"), finance),
    AmendStep("amend", gettext_lazy("退回学校修改")),
)

SOCIAL_TRAINING_STEPS = (
    CosignStep("approve", gettext_lazy("人力社保局、财政局审批"), hrss_and_finance),
    AmendStep("amend", gettext_lazy("退回学校修改")),
)
