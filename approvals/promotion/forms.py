"""Dual-track promotion's forms: the application (derived from ``PromotionDetail``), a
credential on a person's record, and the review committee's one action form."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.common.forms import draft_form_for, name_fields_in_errors
from workflows.models import Expert

from .models import Credential, PromotionDetail, VoteChoice

PromotionForm = draft_form_for(
    PromotionDetail,
    (
        "route",
        "teaching_years",
        "annual_hours",
        "courses",
        "occupation",
        "practice_years",
        "practical_work",
        "achievements",
    ),
    options={
        "teaching_years": {"max_value": 60},
        "annual_hours": {"max_value": 2000},
        "practice_years": {"max_value": 60},
        "practical_work": {"widget": forms.Textarea(attrs={"rows": 4})},
        "achievements": {"min_length": 20, "widget": forms.Textarea(attrs={"rows": 5})},
    },
    half_fields=("teaching_years", "annual_hours", "occupation", "practice_years"),
    name="PromotionForm",
)


class CredentialForm(forms.ModelForm):
    """A qualification or title the school records on a person's file."""

    class Meta:
        model = Credential
        fields = ("grade", "certificate_no", "authority", "awarded_on", "basis")
        widgets = {"awarded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class PanelAction(models.TextChoices):
    FORM = "form", _("组建评审委员会")
    SESSION = "session", _("召开评审会议")
    VOTE = "vote", _("投票")
    CLOSE = "close", _("结束表决")


class PanelForm(forms.Form):
    """One form for the committee step: HR forms it and opens the session; members vote.
    Which fields an action needs is checked by the step (``steps.PanelVoteStep``)."""

    action = forms.ChoiceField(label=_("操作"), choices=PanelAction.choices)
    members = forms.ModelMultipleChoiceField(
        label=_("评审委员"),
        queryset=Expert.objects.filter(active=True).select_related("user", "affiliation"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attending = forms.ModelMultipleChoiceField(
        label=_("出席委员"),
        queryset=Expert.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    choice = forms.ChoiceField(
        label=_("表决意见"), choices=VoteChoice.choices, required=False, widget=forms.RadioSelect
    )
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)
