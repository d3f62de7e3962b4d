from django import template

from tasks_registry.status import LIGHT_LABELS, NOT_DISPATCHED

register = template.Library()


@register.filter
def light_label(light: str) -> str:
    return LIGHT_LABELS.get(light, NOT_DISPATCHED)


@register.filter
def absval(value: int) -> int:
    return abs(value)


@register.filter
def get_status(statuses: dict, key):
    return statuses.get(key)
