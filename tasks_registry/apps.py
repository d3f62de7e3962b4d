from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksRegistryConfig(AppConfig):
    name = "tasks_registry"
    verbose_name = _("重点任务")

    def ready(self):
        from workflows.inbox import register_inbox_provider

        from .selectors import supervision_inbox

        register_inbox_provider(supervision_inbox)
