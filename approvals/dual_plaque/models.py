"""Dual plaque (双挂牌, annex task 2): what a school asks for, and the plaques it holds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from workflows.models import Unit

from ..common.models import Application


class PlaqueKind(models.TextChoices):
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")
    SENIOR_TECHNICAL = "senior_technical", _("高级技工学校")
    VOCATIONAL = "vocational", _("职业院校")


class DualPlaqueDetail(models.Model):
    """The dual-plaque form of one application."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="dual_plaque"
    )
    plaque_kind = models.CharField(_("加挂牌子类别"), max_length=30, choices=PlaqueKind.choices)
    plaque_name = models.CharField(_("加挂牌子名称"), max_length=100)
    reason = models.TextField(_("申请理由"))
    conditions = models.TextField(_("办学条件"))
    students = models.PositiveIntegerField(_("在校生人数"))
    teachers = models.PositiveIntegerField(_("专任教师人数"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)

    class Meta:
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
