"""Request parameters that can never be valid are refused before any view or query sees them.

A NUL character ("\\x00") cannot be stored by PostgreSQL (text and jsonb refuse it) and is
never typed by a person: in the path, a query-string or form parameter (name or value), an
uploaded file's name or a cookie it answers 400 with a Chinese message naming the field.
Forms refuse it too (Django's CharField validator, messages rewritten in
``workflows.forms.name_fields_in_errors``), and the approvals draft store checks it
itself, so a service called without this middleware still refuses it.
"""

import logging

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

NUL = "\x00"


def bad_request(request, message: str, *, status: int = 400):
    """The 400 page: what was wrong, in the reader's language, and a way back."""
    return render(request, "400.html", {"message": message}, status=status)


def form_error_text(form) -> str:
    """A bound form's errors as one line, each naming its field: 「搜索」最多 100 个字。"""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        for message in errors:
            message = str(message)
            parts.append(message if not label or "「" in message else f"「{label}」{message}")
    return " ".join(parts)


def nul_message(field: str) -> str:
    return _("「%(field)s」含有不允许的空字符（NUL），请删除后重新提交。") % {"field": field}


def _first_named(lists, holds_nul) -> str | None:
    """The first parameter whose name or one of whose values holds a NUL."""
    for name, values in lists:
        if NUL in name or any(holds_nul(v) for v in values):
            return name.replace(NUL, "")
    return None


def _first_nul_field(request) -> str | None:
    if NUL in request.path_info:
        return _("网址")
    found = _first_named(request.GET.lists(), lambda v: NUL in v)
    if (
        found is None
        and request.method == "POST"
        and request.content_type
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        found = _first_named(request.POST.lists(), lambda v: NUL in v) or _first_named(
            request.FILES.lists(), lambda upload: NUL in (upload.name or "")
        )
    return found


class RejectNulMiddleware:
    """400 for a NUL anywhere in what the request carries (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            # plain text: the page template would load the session from this very cookie
            return HttpResponseBadRequest(nul_message("Cookie"), content_type="text/plain")
        field = _first_nul_field(request)
        if field is not None:
            log.info("400 on %r: NUL in %s", request.path, field)
            return bad_request(request, nul_message(field))
        return self.get_response(request)
