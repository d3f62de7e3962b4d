"""Dual plaque (双挂牌, annex task 2): what a school asks for, and the plaques it holds.

The detail model is the procedure's one statement of its fields: the form is
derived from it (``forms.py``), the reviewers' snapshot reads it.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from approvals.common.models import Application
from workflows.models import Unit

PHONE_RULE = _("「联系电话」应为 7–20 位数字，可含区号连字符，例如 0576-88881234 或 13800000000。")


class PlaqueKind(models.TextChoices):
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")
    SENIOR_TECHNICAL = "senior_technical", _("高级技工学校")
    VOCATIONAL = "vocational", _("职业院校")


class DualPlaqueDetail(models.Model):
    """The dual-plaque form of one application."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="dual_plaque"
    )
    plaque_kind = models.CharField(
        _("加挂牌子类别"),
        max_length=30,
        choices=PlaqueKind.choices,
        help_text=_(
            "职业院校可加挂技师学院或高级技工学校牌子（市人力社保局审批）；"
            "技工院校可加挂职业院校牌子（市教育局审批）。"
        ),
    )
    plaque_name = models.CharField(
        _("加挂牌子名称"), max_length=100, help_text=_("牌子上的全称，例如：台州市第一技师学院")
    )
    reason = models.TextField(_("申请理由"), max_length=3000)
    conditions = models.TextField(
        _("办学条件"),
        max_length=3000,
        help_text=_("场地、实训设备、专业设置、师资等与所加挂牌子相应的条件。"),
    )
    students = models.PositiveIntegerField(_("在校生人数"))
    teachers = models.PositiveIntegerField(_("专任教师人数"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=30,
        validators=[RegexValidator(r"^[0-9][0-9\- ]{6,19}$", PHONE_RULE)],
    )

    class Meta:
        db_table = "approvals_dualplaquedetail"  # the table kept from before the app split
        verbose_name = _("双挂牌申请内容")
        verbose_name_plural = _("双挂牌申请内容")

    def __str__(self):
        return self.plaque_name


class SchoolPlaque(models.Model):
    """A second plaque a school hangs by an approved dual-plaque application."""

    school = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plaques")
    kind = models.CharField(_("牌子类别"), max_length=30, choices=PlaqueKind.choices)
    name = models.CharField(_("牌子名称"), max_length=100)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="granted_plaque"
    )
    approved_at = models.DateTimeField(_("批准时间"))

    class Meta:
        db_table = "approvals_schoolplaque"
        ordering = ["approved_at", "id"]
        verbose_name = _("加挂牌子")
        verbose_name_plural = _("加挂牌子")
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="school_plaque_once_per_kind")
        ]

    def __str__(self):
        return self.name


class DualPlaqueProcess(Process):
    """The flow's process; its data is the linked ``Application`` (``process.application``)."""

    class Meta:
        proxy = True
        verbose_name = _("双挂牌审批流程")
        verbose_name_plural = _("双挂牌审批流程")
