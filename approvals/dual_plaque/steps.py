"""Dual plaque's steps, in order: who acts at each (annex task 2).

School head submits → the competent bureau reviews → the other bureau signs off
(会签) → the leading group approves → public notice (5 working days) → the
competent bureau's leader signs the reply (批复) off. Any review step may return
the application to the school (it comes back to the same step) or reject it.
"""

from django.utils.translation import gettext_lazy as _

from approvals.common.steps import AmendStep, CosignStep, IssueStep, NoticeStep, ReviewStep
from workflows.models import Role
from workflows.units import unit_by_code

from .rules import co_signing_bureau, competent_bureau, detail_of


def _competent(app):
    return [competent_bureau(detail_of(app).plaque_kind)]


def _co_signing(app):
    return [co_signing_bureau(detail_of(app).plaque_kind)]


def _leading_group(app):
    return [unit_by_code("leading-group")]


STEPS = (
    ReviewStep("competent_review", _("主管部门审核"), _competent),
    CosignStep("cosign", _("会签"), _co_signing),
    ReviewStep("leading_approval", _("领导小组审批"), _leading_group),
    NoticeStep("publicity", _("公示"), _competent),
    # the reply goes out under the bureau's name: its leader in charge signs it off
    # (签发, GB/T 9704) and the number is taken at that moment
    IssueStep(
        "issue_reply", _("签发批复"), _competent, roles=(Role.LEADER,), document_label=_("批复")
    ),
    AmendStep("amend", _("退回学校修改")),
)
