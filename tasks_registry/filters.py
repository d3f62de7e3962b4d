"""The key-task list's filters: every parameter parsed by a form (django-filter + NamedForm)
before it reaches the database; an invalid value is answered 400 with the form's message."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from workflows.forms import NamedForm
from workflows.models import Unit, UnitKind

from .models import Branch, BranchState, KeyTask, SupervisionState
from .status import local_today

UNDISPATCHED = "undispatched"


def _units(request=None):
    return Unit.objects.filter(kind__in=(UnitKind.BUREAU, UnitKind.SCHOOL)).order_by(
        "kind", "sort_order", "pk"
    )


class KeyTaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="by_text",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("任务内容或举措"), "type": "search"}),
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=((UNDISPATCHED, _("未下达")), *SupervisionState.choices),
        method="by_state",
        empty_label=_("全部状态"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        queryset=_units,
        to_field_name="public_id",
        method="by_unit",
        empty_label=_("全部单位"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("只看有逾期单位"), method="by_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(("number", "number"), ("supervision__deadline", "due")),
        field_labels={"number": _("序号"), "supervision__deadline": _("完成时限")},
        empty_label=_("按序号"),
    )

    class Meta:
        model = KeyTask
        fields = ()
        form = NamedForm

    def by_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(content__icontains=value) | Q(measure__icontains=value))

    def by_state(self, queryset, name, value):
        if value == UNDISPATCHED:
            return queryset.filter(supervision__isnull=True)
        return queryset.filter(supervision__state=value)

    def by_unit(self, queryset, name, unit):
        """Tasks the unit answers for: named in the annex (a bureau), of its school group,
        or given a branch when dispatched."""
        from .selectors import assigned_units_bulk

        tasks = list(queryset)
        assigned = assigned_units_bulk(tasks)
        with_branch = set(
            Branch.objects.filter(unit=unit).values_list("supervision__task_id", flat=True)
        )
        ids = [t.pk for t in tasks if t.pk in with_branch or unit in assigned[t.pk]]
        return queryset.filter(pk__in=ids)

    def by_overdue(self, queryset, name, value):
        if not value:
            return queryset
        late = Branch.objects.filter(
            supervision__task=OuterRef("pk"), due__lt=local_today()
        ).exclude(state=BranchState.DONE)
        return queryset.filter(Exists(late))
