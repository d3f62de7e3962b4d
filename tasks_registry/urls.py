from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.access import is_supervisor
from workflows.site import ZhijiApplication

from . import views


class DashboardApp(ZhijiApplication):
    title = _("领导小组")
    icon = "dashboard"
    app_name = "dashboard"
    links = ((_("总览"), "dashboard:index", "dashboard"),)
    visible_to = staticmethod(is_supervisor)
    index_path = path("", views.dashboard, name="index")


class KeyTasksApp(ZhijiApplication):
    title = _("重点任务")
    icon = "assignment"
    app_name = "tasks"
    links = ((_("重点任务清单"), "tasks:index", "list_alt"),)
    index_path = path("", views.task_list, name="index")
    detail_path = path("<int:number>/", views.task_detail, name="detail")
