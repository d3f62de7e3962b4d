"""Subsidies and awards (annex rows 8, 10, 13): budget lines, the procedures' details,
award imports and their awardees, certificates.

Money is ``Decimal`` yuan with two places (分) throughout.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from approvals.common.models import Application

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}


def money_field(label, **kw):
    return models.DecimalField(label, validators=[MinValueValidator(ZERO)], **MONEY, **kw)


def yuan(value) -> str:
    """¥12,345.00"""
    return f"¥{Decimal(value or 0):,.2f}"


def _bureaus_scope(units) -> Q:
    """Budget lines and award imports belong to the HR and finance bureaus: nobody else."""
    if any(u.code in ("hrss", "finance") for u in units):
        return Q(pk__isnull=False)  # (an empty Q would vanish in the OR)
    return Q(pk__in=[])


class Purpose(models.TextChoices):
    HOSTING = "hosting", _("竞赛承办补助")
    AWARDS = "awards", _("竞赛获奖奖励")
    APPRENTICESHIP = "apprenticeship", _("学徒制补贴")


class BudgetLine(models.Model):
    """A year's money for one purpose, kept by the finance bureau. ``allocated`` is what
    approvals have reserved on it (paid or not); ``paid`` what has been paid out."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField(_("年度"))
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    amount = money_field(_("预算金额"))
    allocated = money_field(_("已安排"), default=ZERO)
    paid = money_field(_("已拨付"), default=ZERO)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "purpose"]
        verbose_name = _("预算指标")
        verbose_name_plural = _("预算指标")
        constraints = [
            models.UniqueConstraint(fields=["year", "purpose"], name="budget_line_per_year"),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("amount")), name="budget_never_overspent"
            ),
            models.CheckConstraint(
                condition=Q(paid__lte=models.F("allocated")), name="budget_paid_within_allocated"
            ),
        ]

    def __str__(self):
        return f"{self.year}年度{self.get_purpose_display()}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.allocated

    @classmethod
    def unit_scope(cls, units) -> Q:
        return _bureaus_scope(units)


class Reservation(models.Model):
    """An approved amount reserved on a line, and its payment (拨付) once recorded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="reservations")
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="reservation"
    )
    award_import = models.OneToOneField(
        "AwardImport", on_delete=models.PROTECT, null=True, blank=True, related_name="reservation"
    )
    payee = models.CharField(_("收款单位"), max_length=200)
    amount = money_field(_("金额"))
    reserved_at = models.DateTimeField(auto_now_add=True)
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher = models.CharField(_("凭证号"), max_length=50, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-reserved_at"]
        verbose_name = _("预算安排")
        verbose_name_plural = _("预算安排")

    def __str__(self):
        return f"{self.line} {yuan(self.amount)}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class CompetitionClass(models.TextChoices):
    FIRST = "一类", _("一类")
    SECOND = "二类", _("二类")
    THIRD = "三类", _("三类")


class HostingDetail(models.Model):
    """Row 8: a unit that hosts a city vocational-skills competition asks for its subsidy."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="hosting"
    )
    competition = models.CharField(_("竞赛名称"), max_length=150)
    competition_class = models.CharField(
        _("竞赛类别"), max_length=4, choices=CompetitionClass.choices
    )
    starts_on = models.DateField(_("开始日期"), help_text=_("格式：2026-05-20"))
    ends_on = models.DateField(_("结束日期"), help_text=_("格式：2026-05-22"))
    events = models.PositiveIntegerField(_("竞赛项目数"))
    participants = models.PositiveIntegerField(_("参赛人数"))
    budget_cost = money_field(_("预算费用（元）"))
    actual_cost = money_field(_("实际费用（元）"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    # set by the HR bureau on its review, within the range of row 8
    granted_amount = models.DecimalField(_("核定补助金额"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("竞赛承办补助申请内容")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.competition


class ProgrammeKind(models.TextChoices):
    MODERN = "modern", _("现代学徒制")
    ENTERPRISE = "enterprise", _("企业新型学徒制")


class ApprenticeshipRate(models.Model):
    """Row 10: one rate per year and programme kind, for every school alike."""

    year = models.PositiveIntegerField(_("年度"))
    programme_kind = models.CharField(_("学徒制类型"), max_length=20, choices=ProgrammeKind.choices)
    rate = money_field(_("每名学徒补贴标准（元）"))

    class Meta:
        verbose_name = _("学徒制补贴标准")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["year", "programme_kind"], name="one_rate_per_year")
        ]

    def __str__(self):
        return f"{self.year} {self.get_programme_kind_display()} {yuan(self.rate)}"


class ApprenticeshipDetail(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="apprenticeship"
    )
    year = models.PositiveIntegerField(_("年度"))
    programme_kind = models.CharField(_("学徒制类型"), max_length=20, choices=ProgrammeKind.choices)
    cohort = models.CharField(_("班级（批次）"), max_length=100)
    apprentices = models.PositiveIntegerField(_("学徒人数"))
    partner = models.CharField(_("合作企业"), max_length=150)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)

    class Meta:
        verbose_name = _("学徒制补贴申请内容")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.cohort


class SocialTrainingDetail(models.Model):
    """Row 13: remuneration from a recognised social training's income."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="social_training"
    )
    project = models.CharField(_("培训项目名称"), max_length=150)
    recognition = models.CharField(
        _("认定文件或编号"), max_length=100, help_text=_("该培训项目获得认定的文件名称或编号")
    )
    starts_on = models.DateField(_("培训开始日期"))
    ends_on = models.DateField(_("培训结束日期"))
    income = money_field(_("培训收入（元）"))
    costs = money_field(_("培训成本（元）"))
    remuneration = money_field(_("拟发劳务报酬（元）"))
    staff = models.TextField(
        _("承担服务任务的人员及非工作时间课时"),
        max_length=3000,
        help_text=_("每行一人：姓名、岗位（教师/管理人员/辅助人员）、非工作时间课时数"),
    )
    hours = models.PositiveIntegerField(_("非工作时间总课时"))

    class Meta:
        verbose_name = _("社会培训劳务报酬申请内容")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.project


class HostingProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("竞赛承办补助流程")
        verbose_name_plural = verbose_name


class ApprenticeshipProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("学徒制补贴流程")
        verbose_name_plural = verbose_name


class SocialTrainingProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("社会培训劳务报酬流程")
        verbose_name_plural = verbose_name


# --- competition awards ---------------------------------------------------------------


class AwardStatus(models.TextChoices):
    IMPORTED = "imported", _("待人社局审核")
    REVIEWED = "reviewed", _("待财政局核拨")
    FUNDED = "funded", _("待拨付")
    PAID = "paid", _("已拨付，待发文")
    ISSUED = "issued", _("已发文")
    REJECTED = "rejected", _("未通过")


class AwardImport(models.Model):
    """One competition results sheet the HR bureau imported and confirmed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    source_name = models.CharField(_("导入文件"), max_length=200)
    digest = models.CharField(max_length=64, unique=True)  # the confirmed preview's SHA-256
    status = models.CharField(
        _("状态"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.IMPORTED
    )
    total = money_field(_("奖励总额"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opinion = models.TextField(_("意见"), blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher = models.CharField(_("凭证号"), max_length=50, blank=True)
    document = models.ForeignKey(
        "docs_gen.OfficialDocument", on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("竞赛获奖奖励")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.title

    @classmethod
    def unit_scope(cls, units) -> Q:
        return _bureaus_scope(units)


class Awardee(models.Model):
    award_import = models.ForeignKey(AwardImport, on_delete=models.CASCADE, related_name="awardees")
    row = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("证件号码"), max_length=18)
    unit_name = models.CharField(_("工作单位"), max_length=150)
    competition = models.CharField(_("竞赛名称"), max_length=150)
    competition_class = models.CharField(_("竞赛类别"), max_length=4)
    place = models.IntegerField(_("名次"))
    title = models.CharField(_("称号"), max_length=20, blank=True)
    amount = money_field(_("奖金"))

    class Meta:
        ordering = ["award_import", "row"]
        verbose_name = _("获奖人员")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["award_import", "competition", "id_number"], name="awardee_once"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def id_masked(self) -> str:
        from .idnumbers import mask

        return mask(self.id_number)


class CertificateStatus(models.TextChoices):
    QUEUED = "queued", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class Certificate(models.Model):
    """The 荣誉证书 of one awardee: one per awardee, rendered by a Celery worker."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    awardee = models.OneToOneField(Awardee, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.QUEUED,
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True)
    render_seconds = models.FloatField(null=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("荣誉证书")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.number

    @classmethod
    def unit_scope(cls, units) -> Q:
        return _bureaus_scope(units)
