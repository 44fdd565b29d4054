from django.urls import path

from alumni import views

app_name = "alumni"
urlpatterns = [
    path("", views.alumnus_list, name="list"),
    path("mine/", views.my_alumni, name="mine"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("<int:pk>/", views.alumnus_detail, name="detail"),
    path("<int:pk>/edit/", views.alumnus_update, name="update"),
    path("<int:pk>/check-ins/new/", views.check_in_create, name="check_in_create"),
]
