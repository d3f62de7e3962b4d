from django import template

from ..idnumbers import mask
from ..models import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥12,345.00"""
    return _yuan(value) if value is not None else "—"


@register.filter
def masked(value) -> str:
    return mask(value)
