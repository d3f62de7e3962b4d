"""The 17 key tasks of the plan's annex and their responsible units."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflows.models import SCHOOL_TYPES_BY_PLAN_NAME, Unit, UnitKind


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
