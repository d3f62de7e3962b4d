"""Turn "someone else acted first" into HTTP 409 with a message, never a 500."""

import logging

from django.db import OperationalError
from django.shortcuts import render
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed

from .exceptions import Conflict

log = logging.getLogger(__name__)


def _is_lock_timeout(exc: Exception) -> bool:
    cause = exc.__cause__ or exc
    return type(cause).__name__ in {"LockNotAvailable", "QueryCanceled"} or (
        isinstance(exc, OperationalError) and "database is locked" in str(exc)
    )


def conflict_message(exc: Exception) -> str | None:
    if isinstance(exc, Conflict):
        return exc.message
    if isinstance(exc, FlowLockFailed) or (
        isinstance(exc, OperationalError) and _is_lock_timeout(exc)
    ):
        return _("其他人正在办理此事项，请稍后刷新页面查看最新状态。")
    if isinstance(exc, TransitionNotAllowed):
        return _("该步骤已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")
    return None


class ConflictMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        message = conflict_message(exception)
        if message is None:
            return None
        log.info("409 on %s: %s", request.path, exception)
        return render(
            request,
            "409.html",
            {"message": message, "back": request.path, "typed": typed_text(request)},
            status=409,
        )


_NOT_TYPED = {"csrfmiddlewaretoken", "version", "action", "decision", "outcome", "website"}


def typed_text(request) -> list[str]:
    """What the person wrote in the refused form (an opinion, a reason), to copy from the 409
    page: nothing typed is lost because someone else acted first."""
    if request.method != "POST":
        return []
    return [
        value.strip()
        for key, value in request.POST.items()
        if key not in _NOT_TYPED and isinstance(value, str) and len(value.strip()) >= 2
    ][:5]
