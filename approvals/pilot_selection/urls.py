"""Pilot selection's pages, one application in the site's menu (config/urls.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.site import ZhijiApplication

from . import views


def _is_expert(user) -> bool:
    return hasattr(user, "expert")


class PilotSelectionApp(ZhijiApplication):
    title = _("试点院校遴选")
    icon = "school"
    app_name = "pilot_selection"
    links = (
        (_("遴选批次"), "pilot_selection:index", "event_note"),
        (_("我的评审"), "pilot_selection:expert_index", "rate_review", _is_expert),
    )
    index_path = path("", views.index, name="index")
    round_new_path = path("rounds/new/", views.round_new, name="round_new")
    round_path = path("rounds/<uuid:round_id>/", views.round_detail, name="round")
    criteria_path = path(
        "rounds/<uuid:round_id>/criteria/", views.round_criteria, name="round_criteria"
    )
    panel_path = path("rounds/<uuid:round_id>/panel/", views.round_panel, name="round_panel")
    decide_path = path("rounds/<uuid:round_id>/decide/", views.round_decide, name="round_decide")
    countersign_path = path(
        "rounds/<uuid:round_id>/countersign/", views.round_countersign, name="round_countersign"
    )
    issue_path = path("rounds/<uuid:round_id>/issue/", views.round_issue, name="round_issue")
    xlsx_path = path("rounds/<uuid:round_id>/ranking.xlsx", views.round_xlsx, name="round_xlsx")
    apply_path = path("rounds/<uuid:round_id>/apply/", views.round_apply, name="apply")
    expert_index_path = path("expert/", views.expert_index, name="expert_index")
    score_path = path("expert/<uuid:assignment_id>/", views.score, name="score")
    conflict_path = path("expert/<uuid:assignment_id>/conflict/", views.conflict, name="conflict")
    score_file_path = path(
        "expert/<uuid:assignment_id>/files/<uuid:file_id>/", views.score_file, name="score_file"
    )
    score_file_view_path = path(
        "expert/<uuid:assignment_id>/files/<uuid:file_id>/view/",
        views.score_file_view,
        name="score_file_view",
    )
