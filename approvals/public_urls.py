"""Public pages (no sign-in): notices under publicity and their objection form."""

from django.urls import path

from .common import views

urlpatterns = [
    path("", views.public_notices, name="public_notices"),
    path("<uuid:notice_id>/", views.public_notice, name="public_notice"),
]
