"""The subsidy procedures' flows, built from their steps (approvals.common.flows)."""

from django.utils.translation import gettext_lazy as _

from approvals.common.flows import approval_flow

from .models import ApprenticeshipProcess, HostingProcess, SocialTrainingProcess
from .steps import APPRENTICESHIP_STEPS, HOSTING_STEPS, SOCIAL_TRAINING_STEPS

HostingFlow = approval_flow(
    "HostingFlow",
    __name__,
    steps=HOSTING_STEPS,
    process_class=HostingProcess,
    title=_("竞赛承办补助"),
    doc="竞赛承办补助：人力社保局审核并核定金额 → 财政局预算审核 → 财政局拨付 → 印发通知。",
)
ApprenticeshipFlow = approval_flow(
    "ApprenticeshipFlow",
    __name__,
    steps=APPRENTICESHIP_STEPS,
    process_class=ApprenticeshipProcess,
    title=_("学徒制补贴"),
    doc="学徒制补贴：人力社保局审核 → 财政局预算审核 → 财政局拨付。",
)
SocialTrainingFlow = approval_flow(
    "SocialTrainingFlow",
    __name__,
    steps=SOCIAL_TRAINING_STEPS,
    process_class=SocialTrainingProcess,
    title=_("社会培训劳务报酬"),
    doc="社会培训劳务报酬：人力社保局、财政局审批。",
)
