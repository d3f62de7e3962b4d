"""The site's URLs plus the bare flow's viewflow viewset under /bare/."""

from django.urls import path
from viewflow.workflow.flow import FlowViewset

from config.urls import urlpatterns as site_urlpatterns

from .flows import BareFlow

urlpatterns = [path("bare/", FlowViewset(BareFlow).urls), *site_urlpatterns]
