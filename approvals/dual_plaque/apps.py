from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DualPlaqueConfig(AppConfig):
    """Dual plaque (双挂牌, annex task 2), a procedure on the approvals kernel."""

    name = "approvals.dual_plaque"
    label = "dual_plaque"
    verbose_name = _("双挂牌申请")

    def ready(self):
        from approvals.common.registry import register

        from .procedure import DualPlaqueProcedure

        register(DualPlaqueProcedure())
