"""Pilot selection's steps, in order (annex task 6).

School head submits in the round's window → both bureaus check eligibility, each on
its own (会签 in parallel) → the expert panel scores (a step of this app: the office
assigns the panel, the experts score; it closes when all have submitted or at the
deadline) → the leading group decides the whole round within the quota → one public
notice for the round (5 working days) → the education bureau's leader issues the one
joint 通知 of both bureaus. A return goes back to the school while the window is open.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.models import ReviewDecision
from approvals.common.steps import AmendStep, CosignStep, NoticeStep, RoundStep, Step
from workflows.exceptions import RuleViolation
from workflows.models import Role

from . import rules


class EligibilityStep(CosignStep):
    """Both bureaus check eligibility in parallel; a return only while the window is open."""

    kind = "eligibility"
    action_labels = {
        "eligibility_approve": gettext_lazy("资格审核通过"),
        "eligibility_return": gettext_lazy("资格审核退回修改"),
        "eligibility_reject": gettext_lazy("资格审核不通过"),
    }
    negative_actions = ("eligibility_return", "eligibility_reject")

    def act(self, run, cleaned):
        round_ = run.application.round
        if cleaned.get("decision") == ReviewDecision.RETURN and timezone.now() > round_.closes_at:
            raise RuleViolation(
                _(
                    "「审核结论」申报已于 %(day)s 截止，不能再退回修改，"
                    "请选择“同意”或“不予通过”（%(task)s）。"
                )
                % {"day": timezone.localtime(round_.closes_at).date(), "task": rules.TASK_6},
                field="decision",
            )
        return super().act(run, cleaned)


class ScoringStep(Step):
    """Expert scoring (专家评审): nobody acts on the application page; the office assigns
    the panel and the experts score on their own pages (``services``)."""

    kind = "scoring"
    template = "pilot_selection/steps/scoring.html"
    action_labels = {
        "panel_assigned": gettext_lazy("分配评审专家"),
        "expert_excluded": gettext_lazy("专家回避"),
        "scores_submitted": gettext_lazy("专家提交评分"),
        "scoring_closed": gettext_lazy("评分结束"),
    }

    def waits_on(self, application, user):
        return False

    def enter(self, application):
        from .services import panel_apply_round

        panel_apply_round(application)

    @classmethod
    def extra_inbox_rows(cls, user, units):
        """An expert's applications to score, in their inbox."""
        from django.urls import reverse

        from workflows.inbox import InboxRow

        from .models import AssignmentStatus, PanelAssignment

        return [
            InboxRow(
                title=_("专家评分"),
                subject=a.application.title,
                url=reverse("pilot_selection:score", args=[a.public_id]),
                since=a.assigned_at,
                due=a.application.round.pilot.scoring_deadline,
                status=_("待评分"),
                delegable=False,  # an expert is appointed in person (回避): no substitute
            )
            for a in PanelAssignment.objects.filter(
                expert__user_id=user.pk,
                status=AssignmentStatus.ASSIGNED,
                application__current_step="scoring",
            ).select_related("application__round__pilot")
        ]


class RoundPageStep(RoundStep):
    """Decided on the round's page; the card links there."""

    template = "pilot_selection/steps/round.html"


def _bureaus(app):
    return rules.organisers()


def _office(app):
    return [rules.office()]


def _leading_group(app):
    return [rules.leading_group()]


def _edu(app):
    return [rules.edu()]


STEPS = (
    EligibilityStep("eligibility", gettext_lazy("资格审核"), _bureaus),
    ScoringStep("scoring", gettext_lazy("专家评审"), _office),
    RoundPageStep("decision", gettext_lazy("领导小组决定"), _leading_group),
    NoticeStep("publicity", gettext_lazy("公示"), _edu, per_round=True),
    RoundPageStep("issue", gettext_lazy("印发通知"), _edu, roles=(Role.LEADER,)),
    AmendStep("amend", gettext_lazy("退回学校修改")),
)
