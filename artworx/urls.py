from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from artworx import views
from artworx.export_registry import export_view

# Django's form views also answer PUT; every page here takes only the methods it needs (405 otherwise).
get_or_post = require_http_methods(["GET", "POST"])

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", get_or_post(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", get_or_post(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "password/done/",
        require_GET(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("sites/", include("sites.urls")),
    path("students/", include("students.urls")),
    path("programs/", include("programs.urls")),
    path("alumni/", include("alumni.urls")),
    path("dashboard/", include("artworx.dashboard.urls")),
    path("exports/<slug:name>.<slug:fmt>", export_view, name="export"),
    path("notifications/", include("artworx.notifications.urls")),
    path("admin/", admin.site.urls),
]
