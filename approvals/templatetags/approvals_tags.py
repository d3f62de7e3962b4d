"""Template tags other apps may use to show approvals data (task 2's plaques)."""

from django import template

register = template.Library()


@register.inclusion_tag("approvals/includes/task_plaques.html")
def task_plaques(task_number: int):
    """Approved dual plaques, for annex task 2's page (empty for other tasks)."""
    from approvals.dual_plaque.models import SchoolPlaque

    plaques = []
    if int(task_number) == 2:
        plaques = list(SchoolPlaque.objects.select_related("school", "application"))
    return {"plaques": plaques, "show": int(task_number) == 2}
