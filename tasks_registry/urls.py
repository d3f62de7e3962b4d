from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.access import is_supervisor
from workflows.site import ZhijiApplication

from . import views


class DashboardApp(ZhijiApplication):
    title = _("领导小组")
    icon = "dashboard"
    app_name = "dashboard"
    links = (
        (_("督办总览"), "dashboard:index", "dashboard"),
        (_("单位考核"), "dashboard:scoring", "leaderboard"),
        (_("进展通报"), "dashboard:bulletin", "campaign"),
    )
    visible_to = staticmethod(is_supervisor)
    index_path = path("", views.dashboard, name="index")
    scoring_path = path("scoring/", views.scoring, name="scoring")
    scoring_xlsx_path = path("scoring.xlsx", views.scoring_xlsx, name="scoring_xlsx")
    bulletin_path = path("bulletin/", views.bulletin, name="bulletin")
    bulletin_draft_path = path("bulletin/draft/", views.bulletin_to_draft, name="bulletin_draft")
    ledger_path = path("ledger.xlsx", views.ledger, name="ledger")


class KeyTasksApp(ZhijiApplication):
    title = _("重点任务")
    icon = "assignment"
    app_name = "tasks"
    links = ((_("重点任务清单"), "tasks:index", "list_alt"),)
    index_path = path("", views.task_list, name="index")
    detail_path = path("<int:number>/", views.task_detail, name="detail")
    dispatch_path = path("<int:number>/dispatch/", views.task_dispatch, name="dispatch")
    consolidate_path = path("<int:number>/consolidate/", views.task_consolidate, name="consolidate")
    review_path = path("<int:number>/review/", views.task_review, name="review")
    branch_path = path("branches/<uuid:public_id>/", views.branch_detail, name="branch")
    acknowledge_path = path(
        "branches/<uuid:public_id>/acknowledge/", views.branch_acknowledge, name="acknowledge"
    )
    claim_path = path("branches/<uuid:public_id>/claim/", views.branch_claim, name="claim")
    assign_path = path("branches/<uuid:public_id>/assign/", views.branch_assign, name="assign")
    report_path = path("branches/<uuid:public_id>/report/", views.branch_report, name="report")
    done_path = path("branches/<uuid:public_id>/done/", views.branch_done, name="done")
    urge_path = path("branches/<uuid:public_id>/urge/", views.branch_urge, name="urge")
    attachment_path = path(
        "attachments/<uuid:public_id>/", views.attachment_download, name="attachment"
    )
    attachment_view_path = path(
        "attachments/<uuid:public_id>/view/", views.attachment_view, name="attachment_view"
    )
