from allauth.account import views as account_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from artworx import views
from artworx.exports import export_view
from artworx.signin import urls as signin_urls
from programs import urls as programs_urls
from reports import urls as reports_urls
from reports.views import home
from sites import urls as sites_urls

# Django's form views also answer PUT; every page here takes only the methods it needs (405 otherwise).
get_or_post = require_http_methods(["GET", "POST"])

urlpatterns = [
    path("", home, name="home"),
    # Signing in is allauth's (artworx.signin): the names every template and test uses stay.
    path("login/", get_or_post(account_views.login), name="login"),
    path("logout/", require_POST(account_views.logout), name="logout"),
    path("password/", get_or_post(account_views.password_change), name="password_change"),
    path(
        "password/done/",
        require_GET(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("accounts/", include(signin_urls)),
    path("i18n/setlang/", views.language_set, name="set_language"),  # POST only (the view says so)
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_app_manifest, name="web_app_manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
    # A namespace's pages that read apps above it are served by reports, mounted beside the app's own.
    path("sites/", include((sites_urls.urlpatterns + reports_urls.site_pages, "sites"))),
    path("students/", include("students.urls")),
    path("programs/", include((programs_urls.urlpatterns + reports_urls.pathway_pages, "programs"))),
    path("alumni/", include("alumni.urls")),
    path("families/", include("families.urls")),
    path("dashboard/", include("reports.urls")),
    path("exports/<slug:name>.<slug:fmt>", export_view, name="export"),
    path("notifications/", include("notifications.urls")),
    path("records/", include("retention.urls")),
    path("admin/", admin.site.urls),
]

# Views answer 503 on a lost database through artworx.middleware; this covers middleware that
# reads or writes the session after the view.
handler500 = "artworx.views.server_error"
