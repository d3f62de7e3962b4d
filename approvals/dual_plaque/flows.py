"""Dual plaque (双挂牌, annex task 2): who acts, in what order.

School head submits → competent bureau reviews → the other bureau signs off
(会签) → the leading group approves → public notice (5 working days) → the
competent bureau issues the reply (批复). Any review step may return the
application to the school (it comes back to the same step) or reject it.
Every ``Handle`` is driven by ``approvals.common.services``, which holds the
rules and records the outcome on the application before running the node; the
gateways below only read that outcome.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.locks import process_lock

from .models import DualPlaqueProcess


def _outcome(value):
    def check(activation):
        return activation.process.application.last_outcome == value

    return check


def _returned_from(step):
    def check(activation):
        return activation.process.application.returned_from == step

    return check


class DualPlaqueFlow(flow.Flow):
    """双挂牌审批：主管局审核 → 另一局会签 → 领导小组审批 → 公示 → 主管局批复。"""

    process_class = DualPlaqueProcess
    lock_impl = process_lock
    process_title = _("双挂牌审批")

    start = flow.StartHandle().Next(this.competent_review)

    competent_review = (
        flow.Handle().Annotation(title=_("主管部门审核")).Next(this.after_competent_review)
    )
    after_competent_review = (
        flow.Switch()
        .Case(this.cosign, _outcome("approved"))
        .Case(this.amend, _outcome("returned"))
        .Default(this.closed)
    )

    cosign = flow.Handle().Annotation(title=_("会签")).Next(this.after_cosign)
    after_cosign = (
        flow.Switch()
        .Case(this.leading_approval, _outcome("approved"))
        .Case(this.amend, _outcome("returned"))
        .Default(this.closed)
    )

    leading_approval = (
        flow.Handle().Annotation(title=_("领导小组审批")).Next(this.after_leading_approval)
    )
    after_leading_approval = (
        flow.Switch()
        .Case(this.publicity, _outcome("approved"))
        .Case(this.amend, _outcome("returned"))
        .Default(this.closed)
    )

    amend = flow.Handle().Annotation(title=_("学校修改后重新报送")).Next(this.after_amend)
    after_amend = (
        flow.Switch()
        .Case(this.competent_review, _returned_from("competent_review"))
        .Case(this.cosign, _returned_from("cosign"))
        .Default(this.leading_approval)
    )

    publicity = flow.Handle().Annotation(title=_("公示")).Next(this.after_publicity)
    after_publicity = (
        flow.Switch().Case(this.issue_reply, _outcome("approved")).Default(this.closed)
    )

    issue_reply = flow.Handle().Annotation(title=_("印发批复")).Next(this.approved)

    approved = flow.End()
    closed = flow.End()
