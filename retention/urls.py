from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("students/<int:pk>/copy/", views.family_copy, name="family_copy"),
    path("students/<int:pk>/copy.pdf", views.family_copy_download, {"fmt": "pdf"}, name="family_copy_pdf"),
    path("students/<int:pk>/copy.zip", views.family_copy_download, {"fmt": "zip"}, name="family_copy_zip"),
    path("students/<int:pk>/corrections/new/", views.correction_create, name="correction_create"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/confirm/", views.release_confirm_view, name="release_confirm"),
    path("releases/<int:pk>/export.zip", views.release_export, name="release_export"),
]
