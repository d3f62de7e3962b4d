from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsGenConfig(AppConfig):
    name = "docs_gen"
    verbose_name = _("公文")
