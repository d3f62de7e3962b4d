from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.site import ZhijiApplication

from . import views


class ApplicationsApp(ZhijiApplication):
    title = _("审批事项")
    icon = "approval"
    app_name = "applications"
    links = ((_("我的申请"), "applications:index", "description"),)
    index_path = path("", views.my_applications, name="index")
