from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def zj_can_view(app, user) -> bool:
    return app.has_view_permission(user)


@register.filter
def local_dt(value, fmt: str = "%Y-%m-%d %H:%M"):
    """A datetime shown in Asia/Shanghai (the project's TIME_ZONE)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime(fmt)


@register.filter
def person(user) -> str:
    """A person's name in Chinese order (family name first)."""
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()
