"""The 17 key tasks of the plan's annex, their responsible units, and their supervision."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from workflows.models import SCHOOL_TYPES_BY_PLAN_NAME, Unit, UnitKind
from workflows.people import acting_name

from . import tallies


class UnitRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    CO = "co", _("配合单位")


class KeyTask(models.Model):
    """One annex row (重点任务), verbatim from 台政办发〔2022〕11号."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    measure_number = models.PositiveSmallIntegerField(_("举措序号"))
    measure = models.CharField(_("主要举措"), max_length=50)
    content = models.TextField(_("主要内容"))
    responsible_text = models.CharField(_("责任单位（原文）"), max_length=200)
    implementing_groups = models.JSONField(
        _("实施学校类别"),
        default=list,
        help_text=_("按原文：职业院校、技工院校、高职院校、技师学院"),
    )
    units = models.ManyToManyField(Unit, through="KeyTaskUnit", related_name="key_tasks")

    class Meta:
        ordering = ["number"]
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")

    def __str__(self):
        return f"{self.number}. {self.short_title}"

    @property
    def short_title(self) -> str:
        return self.content if len(self.content) <= 30 else self.content[:30] + "…"

    def bureau_links(self):
        return sorted(self.unit_links.all(), key=lambda link: link.position)

    @property
    def lead_unit(self) -> Unit:
        return next(link.unit for link in self.bureau_links() if link.role == UnitRole.LEAD)

    @property
    def co_units(self) -> list[Unit]:
        return [link.unit for link in self.bureau_links() if link.role == UnitRole.CO]

    def implementing_school_types(self) -> list[str]:
        types: list[str] = []
        for group in self.implementing_groups:
            for school_type in SCHOOL_TYPES_BY_PLAN_NAME[group]:
                if school_type not in types:
                    types.append(school_type)
        return types

    def assigned_units(self) -> list[Unit]:
        """Bureaus (lead first) then every school of the named groups: the units that act."""
        bureaus = [link.unit for link in self.bureau_links()]
        types = self.implementing_school_types()
        schools = list(Unit.objects.of_school_types(types)) if types else []
        return bureaus + schools


class KeyTaskUnit(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="key_task_links")
    role = models.CharField(_("角色"), max_length=10, choices=UnitRole.choices)
    position = models.PositiveSmallIntegerField(_("原文次序"))

    class Meta:
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="keytaskunit_once_per_task"),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.unit} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        if self.unit.kind != UnitKind.BUREAU:
            raise ValueError("only bureaus lead or co-operate on a key task")
        super().save(*args, **kwargs)


# --- supervision (督查督办): one process per key task, one branch per responsible unit ---


class SupervisionState(models.TextChoices):
    BRANCHES = "branches", _("各单位办理中")
    CONSOLIDATING = "consolidating", _("牵头单位汇总中")
    REVIEWING = "reviewing", _("办结审核中")
    CLOSED = "closed", _("已办结")


class Supervision(models.Model):
    """A key task once dispatched (督办事项). One per annex row.

    The viewflow process (``process``) carries the position in the flow; the
    per-unit work lives in ``Branch`` rows so that the dashboard can query it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.OneToOneField(KeyTask, on_delete=models.PROTECT, related_name="supervision")
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision",
    )
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=SupervisionState.choices,
        default=SupervisionState.BRANCHES,
    )
    start_date = models.DateField(_("下达日期"))
    deadline = models.DateField(_("完成时限"))
    milestones = models.TextField(_("节点要求"), blank=True)
    cycle_months = models.PositiveSmallIntegerField(_("报送周期（月）"), default=1)
    requirements = models.TextField(_("督办要求"), blank=True)
    dispatched_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    consolidation = models.TextField(_("汇总报告"), blank=True)
    consolidated_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    consolidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # consolidated through a delegation (workflows.delegation): whom consolidated_by stood in for
    consolidated_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_round = models.PositiveSmallIntegerField(_("审核轮次"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    @property
    def consolidated_by_name(self) -> str:
        """李四, or 李四（代 张三）."""
        return acting_name(self.consolidated_by, self.consolidated_on_behalf_of)

    class Meta:
        ordering = ["task__number"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        triggers = tallies.supervision_triggers()  # a new start or cycle: rates recomputed

    def __str__(self):
        return f"督办：{self.task}"


class BranchState(models.TextChoices):
    NEW = "new", _("待签收")
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已完成")


class BranchRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    CO = "co", _("配合单位")
    SCHOOL = "school", _("实施学校")


class Branch(models.Model):
    """One responsible unit's part of a dispatched task: its own small state machine.

    new (待签收) → active (办理中, reports as rows) → done (已完成); a return from review
    puts a done branch back to active. Transitions are compare-and-set on ``state``
    under the process row lock, so two members acting at once cannot both succeed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="branches")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervision_branches")
    role = models.CharField(_("角色"), max_length=10, choices=BranchRole.choices)
    position = models.PositiveIntegerField(_("次序"), default=0)
    state = models.CharField(
        _("状态"), max_length=10, choices=BranchState.choices, default=BranchState.NEW
    )
    due = models.DateField(_("办理时限"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_branches",
        verbose_name=_("经办人"),
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("最新进度（%）"), default=0)
    last_report_at = models.DateTimeField(_("最近报送"), null=True, blank=True)
    report_count = models.PositiveIntegerField(_("报送次数"), default=0)
    # distinct reporting cycles with at least one report (unit scoring: on-time rate)
    cycles_reported = models.PositiveSmallIntegerField(_("已报送周期数"), default=0)
    last_report_cycle = models.PositiveSmallIntegerField(_("最近报送周期"), default=0)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_summary = models.TextField(_("完成情况"), blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    return_opinion = models.TextField(_("退回意见"), blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["supervision", "position"]
        verbose_name = _("办理分支")
        verbose_name_plural = _("办理分支")
        constraints = [
            models.UniqueConstraint(fields=["supervision", "unit"], name="branch_once_per_unit"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="branch_percent_le_100"
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["state", "due"])]
        triggers = tallies.branch_triggers()  # the dashboard's counters (tallies.py)

    def __str__(self):
        return f"{self.supervision.task.number}. {self.unit.name}"

    @classmethod
    def unit_scope(cls, units) -> models.Q:
        """A unit sees its own branches; the lead bureau sees every branch of the tasks it leads."""
        ids = [u.pk for u in units]
        led = KeyTaskUnit.objects.filter(unit_id__in=ids, role=UnitRole.LEAD).values("task_id")
        return models.Q(unit_id__in=ids) | models.Q(supervision__task_id__in=led)


class BranchTally(models.Model):
    """Branches counted by (supervision, state, due date, percent), kept by triggers in
    the writing transaction (``tallies``): the dashboard's lights without reading every
    branch. Groups left at zero are kept (``n`` = 0) and skipped by the readers."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=BranchState.choices)
    due = models.DateField()
    percent = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supervision", "state", "due", "percent"], name="branchtally_once"
            )
        ]

    def __str__(self):
        return f"{self.supervision_id} {self.state} {self.due} {self.percent}%: {self.n}"


class UnitTally(models.Model):
    """One unit's reporting cycles due and on time over its branches, as of ``month``
    (its first day; NULL: stale, a branch of the unit changed). Marked stale by triggers,
    recomputed by the dashboard (``selectors.refresh_unit_tallies``), compare-and-set on
    ``version``."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, primary_key=True, related_name="supervision_tally"
    )
    month = models.DateField(null=True)
    version = models.PositiveIntegerField(default=1)
    cycles_due = models.IntegerField(default=0)
    cycles_on_time = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.unit_id} {self.month}: {self.cycles_on_time}/{self.cycles_due}"


class ProgressReport(models.Model):
    """One progress report (进度报送) of a branch; a branch has as many as it takes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the principal the author stood in for (workflows.delegation)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), db_index=True)
    cycle = models.PositiveSmallIntegerField(_("报送周期"))
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("进度报送")
        verbose_name_plural = _("进度报送")
        indexes = [models.Index(fields=["branch", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="report_percent_le_100"
            )
        ]

    @property
    def who(self) -> str:
        """李四, or 李四（代 张三）."""
        from workflows.people import acting_name

        return acting_name(self.author, self.on_behalf_of)

    def __str__(self):
        return f"{self.branch} {self.submitted_at:%Y-%m-%d} {self.percent}%"


def _attachment_path(instance, filename):
    # kept for migration 0003; new files are written by workflows.attachments (ATTACHMENTS)
    return f"supervision/{timezone.now():%Y}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A file of a progress report, checked and stored by ``workflows.attachments``.

    ``file`` names it in the default storage (``supervision/<year>/<uuid>.<ext>``); ``name``
    is the user's file name, sanitised, for display only. Rows from before the check have
    an empty ``content_type`` and are served as ``application/octet-stream``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=_attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    content_type = models.CharField(max_length=60, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("报送附件")
        verbose_name_plural = _("报送附件")

    def __str__(self):
        return self.name

    @classmethod
    def unit_scope(cls, units) -> models.Q:
        """Whoever may see the branch may see its attachments."""
        ids = [u.pk for u in units]
        led = KeyTaskUnit.objects.filter(unit_id__in=ids, role=UnitRole.LEAD).values("task_id")
        return models.Q(report__branch__unit_id__in=ids) | models.Q(
            report__branch__supervision__task_id__in=led
        )


class EventKind(models.TextChoices):
    DISPATCH = "dispatch", _("下达任务")
    ACKNOWLEDGE = "acknowledge", _("签收")
    CLAIM = "claim", _("认领")
    ASSIGN = "assign", _("指派")
    REPORT = "report", _("报送进度")
    DONE = "done", _("申报完成")
    CONSOLIDATE = "consolidate", _("汇总上报")
    CLOSE = "close", _("审核办结")
    RETURN = "return", _("审核退回")
    REMINDER = "reminder", _("到期提醒")
    ESCALATION = "escalation", _("逾期督办")
    URGE = "urge", _("催办")


class SupervisionEvent(models.Model):
    """The task's timeline: every step, reminder, escalation and urging (who, when, opinion).

    ``key`` makes system events idempotent: a reminder for a branch, threshold and due
    date is recorded once however often the daily scan runs (unique per branch and key).
    """

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="events")
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=150, blank=True)
    unit_name = models.CharField(_("单位"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    note = models.TextField(_("意见/说明"), blank=True)
    key = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        indexes = [models.Index(fields=["supervision", "created_at", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "key"],
                condition=~models.Q(key=""),
                name="supervision_event_once_per_key",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.unit_name}"


class SupervisionProcess(Process):
    """The viewflow process of a dispatched task; its artifact is the ``Supervision``."""

    class Meta:
        proxy = True
        verbose_name = _("督办流程")
        verbose_name_plural = _("督办流程")
