"""The approvals kernel's data, shared by every procedure.

One ``Application`` table holds every procedure's applications (queryable across
procedures for the portal, inbox and dashboards); each procedure keeps its own
fields in a detail model linked one-to-one. The flow's progress is mirrored on
the application (``status``, ``current_step``, ``acting_unit``) so lists and the
inbox need one query, and changed only by the services in ``common.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.models import Unit
from workflows.people import acting_name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_HEAD = "pending_head", _("待本校负责人报送")  # a school's or another unit's head
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    PUBLICITY = "publicity", _("公示中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


EDITABLE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.PENDING_HEAD,
    ApplicationStatus.RETURNED,
)
CLOSED_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
# the tabs of the application lists
STATUS_GROUPS = {
    "draft": (ApplicationStatus.DRAFT, ApplicationStatus.PENDING_HEAD),
    "open": (ApplicationStatus.IN_REVIEW, ApplicationStatus.RETURNED, ApplicationStatus.PUBLICITY),
    "closed": CLOSED_STATUSES,
}


class RoundState(models.TextChoices):
    OPEN = "open", _("申报中")
    CLOSED = "closed", _("申报截止")
    DECIDED = "decided", _("已决定")
    FINISHED = "finished", _("已办结")


class Round(models.Model):
    """A call that many applications answer together (a year's pilot selection, a batch of
    awards): a quota, a window, criteria, and steps that decide the whole round at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.CharField(_("事项"), max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=200)
    quota = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    opens_at = models.DateTimeField(_("申报开始"))
    closes_at = models.DateTimeField(_("申报截止"))
    # the procedure's own terms (criteria with maxima and weights, required files …)
    criteria = models.JSONField(_("评审标准"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=RoundState.choices, default=RoundState.OPEN
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    version = models.PositiveIntegerField(default=0)
    decision_reason = models.TextField(_("决定说明"), blank=True)
    document = models.ForeignKey(
        "docs_gen.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结果文件"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("批次")
        verbose_name_plural = _("批次")

    def __str__(self):
        return self.name


class Application(models.Model):
    """One application in one procedure, of a school, another unit, or a person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.CharField(_("事项"), max_length=40, db_index=True)
    # the applying unit; for a person's application, the unit the person works at
    applicant_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请单位")
    )
    applicant_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_applications",
        verbose_name=_("申请人"),
    )
    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("批次"),
    )
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    current_step = models.CharField(_("当前环节"), max_length=60, blank=True)
    current_step_label = models.CharField(_("当前环节名称"), max_length=100, blank=True)
    acting_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前办理单位"),
    )
    step_since = models.DateTimeField(_("进入当前环节"), null=True, blank=True)
    # the last working day of the current step's time limit (workflows.workdays)
    step_due = models.DateField(_("办理时限"), null=True, blank=True)
    last_outcome = models.CharField(max_length=20, blank=True)
    returned_from = models.CharField(max_length=60, blank=True)
    # the step the application was on when it closed (progress shows where it stopped)
    closed_at_step = models.CharField(max_length=60, blank=True)
    # the raw form values as typed, kept whether or not they validate
    draft_data = models.JSONField(default=dict, blank=True)
    routed_to = models.ManyToManyField(Unit, related_name="routed_applications", blank=True)
    # "one open application per …": a unique key while open, NULL once closed
    open_key = models.CharField(max_length=160, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=0)
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision_reason = models.TextField(_("不予通过理由"), blank=True)
    # the official document (公文) that carries the decision, issued through docs_gen
    document = models.ForeignKey(
        "docs_gen.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结果文件"),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        indexes = [models.Index(fields=["acting_unit", "status"])]

    def __str__(self):
        return self.title

    @classmethod
    def unit_scope(cls, units) -> Q:
        """A unit sees its own applications and those routed to it."""
        unit_ids = [u.pk for u in units]
        routed = cls.routed_to.through.objects.filter(unit_id__in=unit_ids).values("application_id")
        return Q(applicant_person__isnull=True, applicant_unit_id__in=unit_ids) | Q(pk__in=routed)

    @classmethod
    def user_scope(cls, user) -> Q:
        """A person sees the applications in their own name; a person's application is also
        seen by the head and leader of the unit the person works at (who recommend it)."""
        from workflows.access import memberships_of

        heads = [m.unit_id for m in memberships_of(user) if m.role in ("head", "leader")]
        return Q(applicant_person=user) | Q(
            applicant_person__isnull=False, applicant_unit_id__in=heads
        )

    @property
    def latest_notice(self):
        return self.notices.order_by("-id").first()

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Attachment(models.Model):
    """An uploaded file, stored under a generated name outside the web root."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.original_name


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("同意")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予通过")


class Review(models.Model):
    """One reviewer's decision on one step, with what the reviewer saw (for later diffs)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    step = models.CharField(max_length=60)
    step_label = models.CharField(max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the principal the actor stood in for (workflows.delegation)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    opinion = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.step_label}: {self.get_decision_display()}"

    @property
    def who(self) -> str:
        """李四, or 李四（代 张三）."""
        return acting_name(self.actor, self.on_behalf_of)


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("待会签")
    APPROVED = "approved", _("同意")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予通过")
    CANCELLED = "cancelled", _("已终止")


class SignOff(models.Model):
    """One unit's part of a joint sign-off (会签); a round per entry into the step."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="signoffs")
    step = models.CharField(max_length=60)
    round = models.PositiveIntegerField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="signoffs")
    status = models.CharField(
        max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.PENDING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acted_at = models.DateTimeField(null=True, blank=True)

    @property
    def who(self) -> str:
        return acting_name(self.actor, self.on_behalf_of)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step", "round", "unit"], name="signoff_once_per_round"
            )
        ]

    def __str__(self):
        return f"{self.unit}: {self.get_status_display()}"


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    PASSED = "passed", _("公示期满无异议")
    REFUSED = "refused", _("异议成立")


class NoticeLevel(models.TextChoices):
    UNIT = "unit", _("单位内公示")  # e.g. a school's own notice before it recommends
    CITY = "city", _("市级公示")


class PublicNotice(models.Model):
    """A publicity period (公示) of N working days; objections may be lodged by anyone.

    Of one application (several in turn: the school's, then the city's) or of a whole
    round (one list of results); ``step`` is the step that opened it and waits for it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    step = models.CharField(max_length=60, blank=True)
    level = models.CharField(
        _("公示范围"), max_length=10, choices=NoticeLevel.choices, default=NoticeLevel.CITY
    )
    title = models.CharField(_("公示标题"), max_length=200)
    body = models.TextField(_("公示内容"))
    handling_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=True) ^ Q(round__isnull=True),
                name="notice_of_an_application_or_a_round",
            )
        ]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self):
        return self.title


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("姓名"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=100)
    reason = models.TextField(_("异议理由"))
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # handled through a delegation (workflows.delegation)
    handled_at = models.DateTimeField(null=True, blank=True)
    handling_note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self):
        return f"{self.name}: {self.get_status_display()}"

    @property
    def handled_by_name(self) -> str:
        """李四, or 李四（代 张三） when handled on behalf."""
        return acting_name(self.handled_by, self.on_behalf_of)


class StepAlert(models.Model):
    """A reminder before a step's time limit, or its escalation to the office after it;
    one of each per entry into the step (the beat task is idempotent)."""

    REMINDER, ESCALATION = "reminder", "escalation"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=60)
    step_since = models.DateTimeField()
    kind = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step", "step_since", "kind"], name="step_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.application_id} {self.step} {self.kind}"
