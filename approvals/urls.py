from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.site import ZhijiApplication

from .common import views


class ApplicationsApp(ZhijiApplication):
    title = _("审批事项")
    icon = "approval"
    app_name = "applications"
    # an applicant reads "我的申请"; the bureaus, the office and the leaders, who review,
    # read "审批事项" as the page itself says
    links = (
        (_("我的申请"), "applications:index", "description", views.is_applicant),
        (_("审批事项"), "applications:index", "description", views.is_not_applicant),
        (_("公示公告"), "public_notices", "campaign"),
    )
    index_path = path("", views.index, name="index")
    new_path = path("new/<slug:procedure_code>/", views.application_new, name="new")
    detail_path = path("<uuid:public_id>/", views.application_detail, name="detail")
    edit_path = path("<uuid:public_id>/edit/", views.application_edit, name="edit")
    autosave_path = path("<uuid:public_id>/autosave/", views.application_autosave, name="autosave")
    submit_path = path("<uuid:public_id>/submit/", views.application_submit, name="submit")
    withdraw_path = path("<uuid:public_id>/withdraw/", views.application_withdraw, name="withdraw")
    # the current step's action (its handler's form); "decide" and "issue" are the names the
    # review and document cards post to
    act_path = path("<uuid:public_id>/act/", views.step_action, name="act")
    decide_path = path("<uuid:public_id>/decide/", views.step_action, name="decide")
    issue_path = path("<uuid:public_id>/issue/", views.step_action, name="issue")
    print_path = path("<uuid:public_id>/print/", views.approval_form, name="print")
    preview_path = path("<uuid:public_id>/document/", views.document_preview, name="preview")
    file_path = path(
        "<uuid:public_id>/files/<uuid:file_id>/", views.attachment_download, name="file"
    )
    file_view_path = path(
        "<uuid:public_id>/files/<uuid:file_id>/view/",
        views.attachment_view,
        name="file_view",
    )
    file_delete_path = path(
        "<uuid:public_id>/files/<uuid:file_id>/delete/",
        views.attachment_delete,
        name="file_delete",
    )
    objection_path = path(
        "<uuid:public_id>/objections/<uuid:objection_id>/handle/",
        views.objection_handle,
        name="objection_handle",
    )
