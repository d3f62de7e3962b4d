"""The document list's filters: every parameter parsed by a form (django-filter + NamedForm)
before it reaches the database; an invalid value is answered 400 with the form's message."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.forms import NamedForm
from workflows.models import Unit

from .models import DocumentKind, DocumentStatus, OfficialDocument


def _issuing_units(request=None):
    return Unit.objects.filter(issuer__isnull=False).order_by("sort_order", "pk")


class DocumentFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        label=_("范围"),
        choices=(("mine", _("本单位公文")), ("issued", _("已印发公文（全部机关）"))),
        method="by_scope",
        widget=forms.HiddenInput,
    )
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="by_text",
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("标题、发文字号或发文机关"), "type": "search"}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("文种"), choices=DocumentKind.choices, empty_label=_("全部文种")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=DocumentStatus.choices, empty_label=_("全部状态")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("发文机关"),
        field_name="issuer__unit",
        queryset=_issuing_units,
        to_field_name="public_id",
        empty_label=_("全部机关"),
    )
    sort = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(("issued_at", "issued"), ("created_at", "created"), ("title", "title")),
        field_labels={
            "issued_at": _("印发时间"),
            "created_at": _("起草时间"),
            "title": _("标题"),
        },
        empty_label=_("默认排序"),
    )

    class Meta:
        model = OfficialDocument
        fields = ()
        form = NamedForm

    def by_scope(self, queryset, name, value):
        return queryset  # chooses the view's base list (documents_search), not a filter

    def by_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(number__icontains=value)
            | Q(issuer__mark_name__icontains=value)
        )
