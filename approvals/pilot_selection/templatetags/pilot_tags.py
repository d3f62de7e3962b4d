from django import template

from workflows.models import SchoolType

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def mean_of(result, name):
    return result.mean_display(name)


@register.filter
def expert_total(scores, criteria):
    from ..export import expert_total as total

    return total(criteria, scores) or "—"


@register.filter
def school_type_label(value):
    try:
        return SchoolType(value).label
    except ValueError:
        return value


@register.filter
def stage_label(round_):
    from ..services import round_stage_label

    return round_stage_label(round_)


@register.simple_tag
def open_rounds(school):
    """The rounds ``school`` may apply to now (for the form's intro when no round is chosen)."""
    from ..services import open_rounds_for

    return open_rounds_for(school) if school is not None and school.school_type else []
