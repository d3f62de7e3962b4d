from django.urls import path

from . import views

app_name = "promotion"

urlpatterns = [
    path("record/", views.my_record, name="record"),
    path("people/", views.people, name="people"),
    path("people/<uuid:public_id>/", views.person, name="person"),
    path("panels.xlsx", views.panel_results_xlsx, name="panels_xlsx"),
]
