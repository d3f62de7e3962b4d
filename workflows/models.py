"""The workflow kernel's data: units, memberships, experts, audit trail, notifications.

A unit is an organisation that acts in the plan: the leading group, its office,
a city bureau or a school. People act *for* a unit through a membership with a
role; what they may see follows from their units (see ``workflows.access``).
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import dbguard


class UnitKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("领导小组")
    OFFICE = "office", _("领导小组办公室")
    BUREAU = "bureau", _("市级部门")
    SCHOOL = "school", _("学校")
    # 台州市人民政府办公室: issues the plan itself; not a responsible unit of any task
    GOVERNMENT = "government", _("市政府")
    # applicants of the subsidy procedures (annex rows 8, 10): enterprises that train
    # apprentices or host competitions, industry associations, other hosting units
    ENTERPRISE = "enterprise", _("企业")
    ASSOCIATION = "association", _("行业协会")


class SchoolCategory(models.TextChoices):
    VOCATIONAL = "vocational", _("职业院校")
    TECHNICAL = "technical", _("技工院校")


class SchoolType(models.TextChoices):
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中职学校")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职院校")
    TECHNICAL = "technical", _("技工学校")
    SENIOR_TECHNICAL = "senior_technical", _("高级技工学校")
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")


CATEGORY_OF_TYPE = {
    SchoolType.SECONDARY_VOCATIONAL: SchoolCategory.VOCATIONAL,
    SchoolType.HIGHER_VOCATIONAL: SchoolCategory.VOCATIONAL,
    SchoolType.TECHNICAL: SchoolCategory.TECHNICAL,
    SchoolType.SENIOR_TECHNICAL: SchoolCategory.TECHNICAL,
    SchoolType.TECHNICIAN_COLLEGE: SchoolCategory.TECHNICAL,
}

# How the plan's annex names groups of schools, and the school types each name
# covers (GLOSSARY.md): a category expands to all its types; 高职院校 and 技师学院
# are named alone in row 9.
SCHOOL_TYPES_BY_PLAN_NAME = {
    "职业院校": (SchoolType.SECONDARY_VOCATIONAL, SchoolType.HIGHER_VOCATIONAL),
    "技工院校": (
        SchoolType.TECHNICAL,
        SchoolType.SENIOR_TECHNICAL,
        SchoolType.TECHNICIAN_COLLEGE,
    ),
    "高职院校": (SchoolType.HIGHER_VOCATIONAL,),
    "技师学院": (SchoolType.TECHNICIAN_COLLEGE,),
}


class Role(models.TextChoices):
    HANDLER = "handler", _("经办人")
    HEAD = "head", _("负责人")
    LEADER = "leader", _("分管领导")
    # works at the unit (a teacher, a technician) without acting for it: applies in
    # their own name (dual-track promotion) and sees only their own applications
    STAFF = "staff", _("教职工")


# the roles that act for a unit; a STAFF membership only ties a person to it
ACTING_ROLES = (Role.HANDLER, Role.HEAD, Role.LEADER)


class UnitQuerySet(models.QuerySet):
    def schools(self):
        return self.filter(kind=UnitKind.SCHOOL)

    def bureaus(self):
        return self.filter(kind=UnitKind.BUREAU)

    def of_school_types(self, school_types):
        return self.filter(kind=UnitKind.SCHOOL, school_type__in=list(school_types))


class Unit(models.Model):
    """An organisation that acts in the plan. Every unit owns a permission group."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    full_name = models.CharField(_("全称"), max_length=150, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    school_type = models.CharField(
        _("学校类型"), max_length=30, choices=SchoolType.choices, null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, null=True, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="school") & models.Q(school_type__isnull=False))
                | (~models.Q(kind="school") & models.Q(school_type__isnull=True)),
                name="unit_school_type_iff_school",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.full_name or self.name

    @property
    def category(self) -> str | None:
        """职业院校 or 技工院校 for a school, derived from its type; None otherwise."""
        if self.school_type is None:
            return None
        return CATEGORY_OF_TYPE[SchoolType(self.school_type)]

    def get_category_display(self) -> str:
        return SchoolCategory(self.category).label if self.category else ""

    @classmethod
    def unit_scope(cls, units) -> models.Q:
        """A person sees their own units (workflows.access)."""
        return models.Q(pk__in=[u.pk for u in units])

    @property
    def is_supervisor(self) -> bool:
        return self.kind in (UnitKind.LEADING_GROUP, UnitKind.OFFICE)

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"unit:{self.code}")
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person acting for a unit with one role. A person may belong to several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit")
        ]

    def __str__(self):
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class Expert(models.Model):
    """A member of the expert pool (pilot scoring, promotion panels).

    ``affiliation`` is the unit the expert works for: an expert never scores an
    application of their own unit (conflict of interest).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert"
    )
    field = models.CharField(_("专业领域"), max_length=100)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    affiliation = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="experts"
    )
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")

    def __str__(self):
        from .people import display_name

        return display_name(self.user)


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the audit trail is append-only")

    def delete(self):
        raise TypeError("the audit trail is append-only")

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )


class AuditEntry(models.Model):
    """One recorded action. Append-only: rows are never changed or deleted."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    # the person the actor acted for through a delegation (workflows.delegation); the
    # stored ``actor_name`` then reads 李四（代 张三）
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被代理人"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("代表单位")
    )
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("意见/说明"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        triggers = dbguard.audit_triggers()  # the database refuses UPDATE/DELETE/TRUNCATE

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the audit trail is append-only")


class Notification(models.Model):
    """An in-app message to one person; also sent by e-mail when they have an address."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class StoredFile(models.Model):
    """A file of the database storage (``workflows.storage.DatabaseStorage``,
    ``APP_FILE_STORAGE=database``): its storage name, its bytes, and their SHA-256."""

    name = models.CharField(max_length=255, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据库中的文件")
        verbose_name_plural = _("数据库中的文件")

    def __str__(self):
        return self.name


class CalendarYear(models.Model):
    """A year's holidays and make-up working days (调休) as the office entered them, for a
    year the chinese-calendar package does not cover yet (workflows.workdays)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    basis = models.CharField(_("依据"), max_length=200, help_text=_("如：国办发明电〔2026〕×号"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from Monday–Friday: a holiday on a weekday, or a make-up Saturday."""

    calendar = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("上班"))
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日或调休日")

    def __str__(self):
        return f"{self.day} {'班' if self.working else '休'} {self.name}"


class Delegation(models.Model):
    """A person (the principal) names a colleague of one of their units (the substitute) to
    act on their to-dos for a period (inclusive dates, Asia/Shanghai); the principal may end it
    early. Rules and effects: ``workflows.delegation``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("委托人"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("代理人"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("单位"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    ended_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    reason = models.CharField(_("委托事由"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        indexes = [
            models.Index(fields=["substitute", "starts_on", "ends_on"]),
            models.Index(fields=["principal", "starts_on", "ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(principal=models.F("substitute")),
                name="delegation_not_to_oneself",
            ),
        ]

    def __str__(self):
        from .people import display_name

        return f"{display_name(self.principal)} → {display_name(self.substitute)}"

    def state(self, today) -> str:
        """not_started / active / ended on ``today``."""
        if self.ended_at is not None or today > self.ends_on:
            return "ended"
        return "not_started" if today < self.starts_on else "active"

    def is_active(self, today) -> bool:
        return self.state(today) == "active"
