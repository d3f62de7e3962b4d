from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    """Subsidies and awards (annex rows 8, 10, 13) on the approvals kernel: budget lines,
    the competition hosting subsidy, competition awards, the apprenticeship subsidy and
    the social-training remuneration."""

    name = "approvals.subsidies"
    label = "subsidies"
    verbose_name = _("补助与奖励")

    def ready(self):
        from approvals.common.registry import register

        from .procedure import ApprenticeshipProcedure, HostingProcedure, SocialTrainingProcedure

        register(HostingProcedure())
        register(ApprenticeshipProcedure())
        register(SocialTrainingProcedure())
        from workflows.inbox import register_inbox_provider

        from .inbox import awards_inbox

        register_inbox_provider(awards_inbox)
