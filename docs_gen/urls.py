from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.site import ZhijiApplication

from . import views


class DocumentsApp(ZhijiApplication):
    title = _("公文")
    icon = "description"
    app_name = "docs"
    links = (
        (_("公文列表"), "docs:index", "list_alt"),
        (_("起草公文"), "docs:create", "edit_note", views.user_may_draft),
    )
    # every signed-in person sees the list of issued documents; drafting needs an
    # issuer, and another unit's drafts answer 404 (not 403) in the views
    visible_to = None
    index_path = path("", views.document_list, name="index")
    create_path = path("new/", views.document_new, name="create")
    batch_issue_path = path("batch-issue/", views.batch_issue, name="batch_issue")
    batch_path = path("batches/<uuid:public_id>/", views.batch_detail, name="batch")
    detail_path = path("<uuid:public_id>/", views.document_detail, name="detail")
    edit_path = path("<uuid:public_id>/edit/", views.document_edit, name="edit")
    preview_html_path = path("<uuid:public_id>/preview/", views.preview_html, name="preview_html")
    pdf_path = path("<uuid:public_id>/pdf/", views.document_pdf, name="pdf")
    action_path = path("<uuid:public_id>/<str:action>/", views.document_action, name="action")


# outside the Site: public, no login
public_urlpatterns = [
    path("verify/<str:code>/", views.verify, name="docs_verify"),
]
