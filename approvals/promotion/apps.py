from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    """Dual-track promotion (双线晋升, annex task 17), a procedure on the approvals kernel."""

    name = "approvals.promotion"
    label = "promotion"
    verbose_name = _("双线晋升")

    def ready(self):
        from approvals.common.registry import register

        from .procedure import PromotionProcedure

        register(PromotionProcedure())
