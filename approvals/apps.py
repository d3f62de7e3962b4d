from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批事项")

    def ready(self):
        from workflows.inbox import register_inbox_provider

        from .common.selectors import inbox_for
        from .dual_plaque import procedure  # noqa: F401  (registers the procedure)

        register_inbox_provider(inbox_for)
