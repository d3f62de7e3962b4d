from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotSelectionConfig(AppConfig):
    """Pilot school selection (遴选职技融通改革试点院校, annex task 6), a round-based
    procedure on the approvals kernel: eligibility by both bureaus, expert scoring,
    ranking, the leading group's decision within the quota, one notice, one joint 通知."""

    name = "approvals.pilot_selection"
    label = "pilot_selection"
    verbose_name = _("试点院校遴选")

    def ready(self):
        from approvals.common.registry import register

        from .procedure import PilotSelectionProcedure

        register(PilotSelectionProcedure())
