from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("工作流内核")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks, dbguard, signals  # noqa: F401

        dbguard.connect_signals()
        post_migrate.connect(
            dbguard.reinstall_after_migrate, sender=self, dispatch_uid="zhiji-dbguard"
        )
        from .viewflow_i18n import label_viewflow_columns

        label_viewflow_columns()
