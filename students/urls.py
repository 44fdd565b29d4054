from django.urls import path

from students import views

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("new/", views.student_create_view, name="create"),
    path("<int:pk>/", views.student_detail, name="detail"),
    path("<int:pk>/edit/", views.student_update, name="update"),
    path("<int:pk>/support/", views.support_profile_update, name="support_profile"),
    path("<int:pk>/guardians/new/", views.guardian_create, name="guardian_create"),
    path("<int:pk>/guardians/<int:guardian_pk>/edit/", views.guardian_update, name="guardian_update"),
    path("<int:pk>/enroll/", views.enrollment_create_view, name="enroll"),
    path("<int:pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("enrollments/<int:pk>/transfer/", views.enrollment_transfer_view, name="transfer"),
    path("enrollments/<int:pk>/exit/", views.enrollment_exit_view, name="exit"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/courses/new/", views.contract_course_add_view, name="contract_course_add"),
    path(
        "contracts/<int:pk>/courses/<int:course_pk>/resolve/",
        views.contract_course_resolve_view,
        name="contract_course_resolve",
    ),
    path("contracts/<int:pk>/extend/", views.contract_extend_view, name="contract_extend"),
]
