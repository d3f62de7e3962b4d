from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from viewflow.urls import Site

from approvals.pilot_selection.urls import PilotSelectionApp
from approvals.subsidies.urls import SubsidiesApp
from approvals.urls import ApplicationsApp
from docs_gen.urls import DocumentsApp
from docs_gen.urls import public_urlpatterns as docs_public_urls
from tasks_registry.urls import DashboardApp, KeyTasksApp
from workflows import views as workflow_views
from workflows.forms import LoginForm
from workflows.urls import WorkbenchApp

site = Site(
    title=settings.SITE_TITLE,
    viewsets=[
        DashboardApp(),
        WorkbenchApp(),
        KeyTasksApp(),
        ApplicationsApp(),
        SubsidiesApp(),
        PilotSelectionApp(),
        DocumentsApp(),
    ],
)

urlpatterns = [
    # browsers ask for /favicon.ico on pages that name no icon (and for bookmarks)
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg")), name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # viewflow's base.html loads it when the name resolves (JS strings in locale/*/djangojs.po)
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("home/", workflow_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("public/notices/", include("approvals.public_urls")),
    path("promotion/", include("approvals.promotion.urls")),
    *docs_public_urls,
    path("", workflow_views.home, name="root"),
    path("", site.urls),
]
