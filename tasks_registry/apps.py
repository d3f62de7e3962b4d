from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksRegistryConfig(AppConfig):
    name = "tasks_registry"
    verbose_name = _("重点任务")

    def ready(self):
        from django.db.models.signals import post_migrate

        from workflows.inbox import register_inbox_provider

        from . import tallies

        # SQLite drops a table's triggers when a migration rebuilds it
        post_migrate.connect(
            tallies.reinstall_after_migrate, sender=self, dispatch_uid="zhiji-tallies"
        )

        from .selectors import supervision_inbox

        register_inbox_provider(supervision_inbox)
