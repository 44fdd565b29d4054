from django.urls import path

from students import import_views, referral_views, views

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
    path("roster-imports/", import_views.roster_import_upload, name="roster_import"),
    path("roster-imports/<int:pk>/", import_views.roster_import_detail, name="roster_import_detail"),
    path(
        "roster-imports/<int:pk>/confirm/", import_views.roster_import_confirm, name="roster_import_confirm"
    ),
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

urlpatterns += [
    path("<int:pk>/waitlist/", referral_views.waitlist_add_view, name="waitlist_add"),
    path("waitlists/<int:site_pk>/", referral_views.waitlist, name="waitlist"),
    path("waitlists/entries/<int:pk>/enroll/", referral_views.waitlist_enroll_view, name="waitlist_enroll"),
    path("waitlists/entries/<int:pk>/skip/", referral_views.waitlist_skip_view, name="waitlist_skip"),
    path("referrals/", referral_views.referral_list, name="referral_list"),
    path("referrals/new/", referral_views.referral_create_view, name="referral_create"),
    path("referrals/funnel/", referral_views.referral_funnel_view, name="referral_funnel"),
    path("referrals/<int:pk>/", referral_views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", referral_views.referral_update_view, name="referral_update"),
    path("referrals/<int:pk>/advance/", referral_views.referral_advance_view, name="referral_advance"),
    path("referrals/<int:pk>/convert/", referral_views.referral_convert_view, name="referral_convert"),
]
