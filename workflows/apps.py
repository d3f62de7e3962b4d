from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("工作流内核")

    def ready(self):
        from . import signals  # noqa: F401
        from .viewflow_i18n import label_viewflow_columns

        label_viewflow_columns()
