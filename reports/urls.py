from django.urls import path

from reports import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("report/", views.funder_report, name="report"),
]

# Pages of other namespaces that read across apps; config/urls.py mounts them beside their app's own.
site_pages = [
    path("", views.site_list, name="list"),
    path("<int:pk>/", views.site_detail, name="detail"),
]
pathway_pages = [
    path("pathways/<int:pk>/", views.pathway_detail, name="pathway_detail"),
]
