"""List filters of the workbench: every parameter parsed by a form (django-filter) before it
reaches the database; an invalid value is answered with the form's message, not a 500."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import NamedForm
from .models import Notification


class NotificationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=(("unread", _("未读")), ("read", _("已读"))),
        method="by_state",
        empty_label=_("全部"),
    )
    q = django_filters.CharFilter(
        label=_("搜索"),
        field_name="title",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"placeholder": _("标题"), "type": "search"}),
    )

    class Meta:
        model = Notification
        fields = ()
        form = NamedForm

    def by_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "unread")


class InboxFilterForm(NamedForm):
    """The inbox merges rows of every app in memory: the filter applies to the rows."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("事项、对象或单位"), "type": "search"}),
    )
    light = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=(
            ("", _("全部")),
            ("red", _("逾期")),
            ("amber", _("临期")),
            ("green", _("正常")),
        ),
    )

    def apply(self, rows):
        if not self.is_valid():
            return rows
        q, light = self.cleaned_data["q"].strip(), self.cleaned_data["light"]
        if q:
            rows = [r for r in rows if q in r.title or q in r.subject or q in r.unit]
        if light:
            rows = [r for r in rows if r.light == light]
        return rows
