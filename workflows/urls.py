from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views
from .site import ZhijiApplication


class WorkbenchApp(ZhijiApplication):
    title = _("工作台")
    icon = "inbox"
    app_name = "workbench"
    links = (
        (_("我的待办"), "workbench:inbox", "inbox"),
        (_("通知"), "workbench:notifications", "notifications"),
        (_("我的委托"), "workbench:delegations", "supervisor_account", views.may_delegate),
        (_("节假日安排"), "workbench:calendar", "event", views.sees_calendar),
    )
    index_path = path("", views.inbox, name="index")
    inbox_path = path("inbox/", views.inbox, name="inbox")
    notifications_path = path("notifications/", views.notifications, name="notifications")
    notifications_read_all_path = path(
        "notifications/read-all/", views.notifications_read_all, name="notifications_read_all"
    )
    calendar_path = path("calendar/", views.calendar, name="calendar")
    delegations_path = path("delegations/", views.delegations, name="delegations")
    delegation_end_path = path(
        "delegations/<uuid:public_id>/end/", views.delegation_end, name="delegation_end"
    )
    unit_path = path("units/<uuid:public_id>/", views.unit_detail, name="unit")
    notification_read_path = path(
        "notifications/<int:pk>/read/", views.notification_read, name="notification_read"
    )
