"""The dual-plaque form: derived from ``DualPlaqueDetail``; only what a form alone knows here."""

from django import forms

from approvals.common.forms import draft_form_for

from .models import PHONE_RULE, DualPlaqueDetail

DualPlaqueForm = draft_form_for(
    DualPlaqueDetail,
    (
        "plaque_kind",
        "plaque_name",
        "reason",
        "conditions",
        "students",
        "teachers",
        "contact_name",
        "contact_phone",
    ),
    options={
        "reason": {"min_length": 20, "widget": forms.Textarea(attrs={"rows": 5})},
        "conditions": {"min_length": 20, "widget": forms.Textarea(attrs={"rows": 5})},
        "students": {"max_value": 100000},
        "teachers": {"max_value": 10000},
        "contact_phone": {
            "validators": DualPlaqueDetail._meta.get_field("contact_phone").validators
        },
    },
    half_fields=("students", "teachers", "contact_name", "contact_phone"),
    # the field's "invalid" message would replace the validator's specific one
    messages={"contact_phone": {"invalid": PHONE_RULE}},
    name="DualPlaqueForm",
)
