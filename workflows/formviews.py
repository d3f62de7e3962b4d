"""One way for a view to run a posted form through a service.

Every action page answers the same way: a valid form goes to the service; an
invalid form, or a rule the service enforces (``RuleViolation``), comes back on
the same page with the message on the field it names, what was typed kept, and
HTTP 400. A lost race (``Conflict``) is left to the middleware: 409.
"""

from collections.abc import Callable

from django.http import HttpResponse

from .exceptions import RuleViolation


def add_rule_error(form, exc: RuleViolation) -> None:
    """The service's message on the field it names (or on the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def run_form(
    form,
    service: Callable[[dict], object],
    *,
    again: Callable[[object], HttpResponse],
    done: Callable[[object], HttpResponse] | None = None,
) -> HttpResponse:
    """``service(cleaned_data)`` when ``form`` is valid, then ``done(result)`` (without
    ``done``, the service's result is the response); otherwise ``again(form)`` answered
    with 400."""
    if form.is_valid():
        try:
            result = service(form.cleaned_data)
        except RuleViolation as exc:
            add_rule_error(form, exc)
        else:
            return done(result) if done is not None else result
    response = again(form)
    response.status_code = 400
    return response
