"""Pilot school selection (annex task 6): a round's own terms, what a school writes,
the expert panel and its scores, the decision, and the pilot flag a school carries.

The kernel's ``Round`` holds year, name, quota, window and the criteria
(``[{"name", "max", "weight"}]``); ``PilotRound`` adds what only this procedure
knows. Scores are Decimals with one decimal place; the maths is in ``scoring``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from approvals.common.models import Application, Round
from workflows.models import Expert, SchoolType, Unit


def all_school_types() -> list[str]:
    return [t.value for t in SchoolType]


class PilotRound(models.Model):
    """What a pilot selection round asks for beyond the kernel's round."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="pilot")
    school_types = models.JSONField(_("可申报学校类型"), default=all_school_types)
    required_attachments = models.JSONField(_("须提交的附件"), default=list, blank=True)
    panel_size = models.PositiveSmallIntegerField(_("评审专家人数"), default=5)
    scoring_deadline = models.DateTimeField(_("评分截止"), null=True, blank=True)
    # the panel assigned to the whole round: applications reaching scoring later get it too
    panel = models.ManyToManyField(Expert, blank=True, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)
    # the HR bureau's leader countersigns (会签) the joint 通知 before the education bureau's
    # leader signs it off
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会签领导"),
    )
    countersigned_at = models.DateTimeField(_("会签时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("试点遴选批次")
        verbose_name_plural = _("试点遴选批次")

    def __str__(self):
        return self.round.name


class PilotDetail(models.Model):
    """What a school writes against each of its round's criteria, and who to call."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="pilot_detail"
    )
    # criterion name → what the school writes against it
    statements = models.JSONField(_("对照评审标准的申报内容"), default=dict)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)

    class Meta:
        verbose_name = _("试点院校申报内容")
        verbose_name_plural = _("试点院校申报内容")

    def __str__(self):
        return self.contact_name


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评分")
    SUBMITTED = "submitted", _("已提交")
    EXCLUDED = "excluded", _("回避")
    EXPIRED = "expired", _("逾期未评")


class PanelAssignment(models.Model):
    """One expert on one application's panel; excluded (回避) by rule or on their word."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="panel_assignments"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="pilot_assignments")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    exclusion_reason = models.CharField(_("回避理由"), max_length=500, blank=True)
    comment = models.TextField(_("评审意见"), blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=0)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="pilot_expert_once")
        ]
        verbose_name = _("评审专家分配")
        verbose_name_plural = _("评审专家分配")

    def __str__(self):
        return f"{self.expert} → {self.application}"

    @classmethod
    def user_scope(cls, user) -> Q:
        """An expert sees their own assignments, nobody else's."""
        return Q(expert__user=user)

    @classmethod
    def unit_scope(cls, units) -> Q:
        return Q(pk__in=[])

    @property
    def excluded(self) -> bool:
        return self.status == AssignmentStatus.EXCLUDED


class ExpertScore(models.Model):
    """One expert's score on one criterion (0..max, one decimal place)."""

    assignment = models.ForeignKey(PanelAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("评审指标"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="pilot_score_once_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class PilotDecision(models.Model):
    """The leading group's decision on one application, with its rank and total then."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="pilot_decision"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pilot_decisions")
    rank = models.PositiveIntegerField(_("排名"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True)
    selected = models.BooleanField(_("入选"))
    reason = models.TextField(_("决定说明"), blank=True)

    class Meta:
        ordering = ["round", "rank"]

    def __str__(self):
        return f"{self.rank}: {self.application}"


class PilotSchool(models.Model):
    """A school selected as a 职技融通改革试点院校 in a round (the flag it carries)."""

    school = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pilot_flags")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="pilot_schools")
    year = models.PositiveSmallIntegerField(_("年度"))
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="pilot_flag"
    )
    designated_at = models.DateTimeField(_("认定时间"))

    class Meta:
        ordering = ["-year", "school__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "round"], name="pilot_school_once_per_round")
        ]
        verbose_name = _("试点院校")
        verbose_name_plural = _("试点院校")

    def __str__(self):
        return f"{self.school} ({self.year})"


class PilotProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("试点院校遴选流程")
        verbose_name_plural = _("试点院校遴选流程")
