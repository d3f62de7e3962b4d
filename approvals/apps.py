from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """The approvals kernel. Procedures are apps of their own that register with it."""

    name = "approvals"
    verbose_name = _("审批事项")

    def ready(self):
        from workflows.inbox import register_inbox_provider

        from .common import checks  # noqa: F401  (registers the flow/steps system check)
        from .common.selectors import inbox_for

        register_inbox_provider(inbox_for)
