from django import template
from django.utils import timezone

from workflows.people import display_name

register = template.Library()


@register.filter
def zj_can_view(app, user) -> bool:
    """Whether the left menu lists ``app`` for ``user``."""
    menu_visible = getattr(app, "menu_visible", None)
    return menu_visible(user) if menu_visible else app.has_view_permission(user)


@register.filter
def zj_menu_links(app, user):
    return app.menu_links(user)


@register.filter
def local_dt(value, fmt: str = "%Y-%m-%d %H:%M"):
    """A datetime shown in Asia/Shanghai (the project's TIME_ZONE)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime(fmt)


@register.filter
def person(user) -> str:
    """A person's name in Chinese order (family name first)."""
    return display_name(user)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` (filters kept across pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def preview_kind(content_type):
    """ "pdf", "image" or "": how an attachment of this type is previewed in the page."""
    from workflows.attachments import preview_kind as kind

    return kind(content_type or "")
