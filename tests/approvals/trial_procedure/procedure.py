"""A person applies in a round; three bureaus check in parallel; the round is decided at once;
a notice issues to each person who passed."""

from approvals.common.applicants import PERSON_AT_SCHOOL
from approvals.common.flows import approval_flow
from approvals.common.forms import draft_form_for
from approvals.common.registry import Procedure
from approvals.common.steps import AmendStep, CosignStep, IssueStep, RoundStep
from docs_gen.values import DocumentValue
from workflows.exceptions import RuleViolation
from workflows.models import Role
from workflows.units import unit_by_code

from .models import TrialDetail, TrialProcess


def _three_bureaus(app):
    return [unit_by_code("edu"), unit_by_code("ndrc"), unit_by_code("finance")]


def _edu(app):
    return [unit_by_code("edu")]


STEPS = (
    CosignStep("check", "资格审核", _three_bureaus),  # parallel checks: all three must pass
    RoundStep("panel", "评审决定", _edu),
    IssueStep("notify", "印发通知", _edu, roles=(Role.LEADER,), document_label="通知"),
    AmendStep("amend", "退回申请人修改"),
)

TrialFlow = approval_flow(
    "TrialFlow", __name__, steps=STEPS, process_class=TrialProcess, title="试用事项"
)


class TrialProcedure(Procedure):
    code = "trial"
    title = "试用事项"
    applicant = PERSON_AT_SCHOOL
    flow_class = TrialFlow
    detail_model = TrialDetail
    form_class = draft_form_for(TrialDetail, ("topic", "years"))
    steps = STEPS

    def check_eligibility(self, application):
        if self.detail_of(application).years < 3:
            raise RuleViolation("「从教年限」须满 3 年（试用规则）。", field="years")

    def competent_unit(self, application):
        return unit_by_code("edu")

    def document(self, application):
        return DocumentValue(
            kind="notice",
            issuer=unit_by_code("edu"),
            title=f"关于{self.applicant.name_of(application)}试用事项结果的通知",
            addressees=(application.applicant_unit.name,),
            body=({"type": "paragraph", "text": "经评审，同意所报试用事项。"},),
        )
