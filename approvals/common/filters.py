"""The application list's filters: every parameter parsed by a form (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.forms import NamedForm

from .models import STATUS_GROUPS as GROUPS
from .models import Application
from .registry import procedures


def _procedure_choices():
    return [(p.code, p.title) for p in procedures()]


class ApplicationFilter(django_filters.FilterSet):
    tab = django_filters.ChoiceFilter(
        label=_("分类"),
        choices=(
            ("all", _("全部")),
            ("draft", _("草稿")),
            ("open", _("办理中")),
            ("closed", _("已办结")),
        ),
        method="by_group",
        empty_label=None,
    )
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="by_text",
        widget=forms.TextInput(attrs={"placeholder": _("标题或申请单位"), "type": "search"}),
    )
    procedure = django_filters.ChoiceFilter(
        label=_("事项"), choices=_procedure_choices, empty_label=_("全部事项")
    )
    overdue = django_filters.BooleanFilter(
        label=_("只看超时"), method="by_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(("updated_at", "updated"), ("submitted_at", "submitted"), ("step_due", "due")),
        field_labels={
            "updated_at": _("最近更新"),
            "submitted_at": _("报送时间"),
            "step_due": _("办理时限"),
        },
        empty_label=_("默认排序"),
    )

    class Meta:
        model = Application
        fields = ("procedure",)
        form = NamedForm

    def by_group(self, queryset, name, value):
        return queryset.filter(status__in=GROUPS[value]) if value in GROUPS else queryset

    def by_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(applicant_unit__name__icontains=value))

    def by_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(step_due__lt=timezone.localdate())
