from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("today/", views.today, name="today"),
    path("<int:pk>/snooze/", views.notification_snooze, name="snooze"),
    path("<int:pk>/not-mine/", views.notification_not_mine, name="not_mine"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("preferences/", views.notification_preferences, name="preferences"),
]
