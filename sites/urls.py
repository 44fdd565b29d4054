from django.urls import path

from sites import views

app_name = "sites"
# The site list and site page read students and cohorts: reports serves them in this namespace
# (config/urls.py).
urlpatterns = [
    path("new/", views.site_create, name="create"),
    path("<int:pk>/edit/", views.site_update, name="update"),
]
