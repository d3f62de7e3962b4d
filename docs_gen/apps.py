from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsGenConfig(AppConfig):
    name = "docs_gen"
    verbose_name = _("公文")

    def ready(self):
        from workflows.inbox import register_inbox_provider

        from .inbox import document_inbox

        register_inbox_provider(document_inbox)
