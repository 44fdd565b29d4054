from django.urls import path

from artworx.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("report/", views.funder_report, name="report"),
]
