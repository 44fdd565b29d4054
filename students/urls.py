from django.urls import path

from students.views import agreements, contracts, enrollments, referrals, roster_import, students, work

app_name = "students"
urlpatterns = [
    path("", students.student_list, name="list"),
    path("new/", students.student_create_view, name="create"),
    path("<int:pk>/", students.student_detail, name="detail"),
    path("<int:pk>/edit/", students.student_update, name="update"),
    path("<int:pk>/support/", students.support_profile_update, name="support_profile"),
    path("<int:pk>/guardians/new/", students.guardian_create, name="guardian_create"),
    path("<int:pk>/guardians/<int:guardian_pk>/edit/", students.guardian_update, name="guardian_update"),
    path("<int:pk>/enroll/", enrollments.enrollment_create_view, name="enroll"),
    path("<int:pk>/contracts/new/", contracts.contract_create, name="contract_create"),
    path("enrollments/<int:pk>/transfer/", enrollments.enrollment_transfer_view, name="transfer"),
    path("enrollments/<int:pk>/exit/", enrollments.enrollment_exit_view, name="exit"),
    path("roster-imports/", roster_import.roster_import_upload, name="roster_import"),
    path("roster-imports/<int:pk>/", roster_import.roster_import_detail, name="roster_import_detail"),
    path(
        "roster-imports/<int:pk>/confirm/", roster_import.roster_import_confirm, name="roster_import_confirm"
    ),
    path("contracts/", contracts.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/courses/new/", contracts.contract_course_add_view, name="contract_course_add"),
    path(
        "contracts/<int:pk>/courses/<int:course_pk>/resolve/",
        contracts.contract_course_resolve_view,
        name="contract_course_resolve",
    ),
    path("contracts/<int:pk>/extend/", contracts.contract_extend_view, name="contract_extend"),
    path("contracts/<int:pk>/cancel/", contracts.contract_cancel_view, name="contract_cancel"),
    path("contracts/<int:pk>/agreement/send/", agreements.agreement_send_view, name="agreement_send"),
    path("contracts/<int:pk>/agreement/resend/", agreements.agreement_resend_view, name="agreement_resend"),
    path("contracts/<int:pk>/agreement/sign/", agreements.agreement_teacher_sign_view, name="agreement_sign"),
    path("contracts/<int:pk>/agreement/<int:number>.pdf", agreements.agreement_pdf, name="agreement_pdf"),
    path("contracts/<int:pk>/assignments/new/", work.assignment_add, name="assignment_add"),
    path(
        "contracts/<int:pk>/assignments/<int:assignment_pk>/handed-in/",
        work.assignment_hand_in_view,
        name="assignment_hand_in",
    ),
    path(
        "contracts/<int:pk>/assignments/<int:assignment_pk>/evaluate/",
        work.assignment_evaluate_view,
        name="assignment_evaluate",
    ),
    path("contracts/<int:pk>/reviews/<int:review_pk>/", work.review_detail, name="review_detail"),
    # The link a student or guardian opens on their phone: no account, the signed token is the key.
    path("agreements/sign/<str:token>/", agreements.agreement_sign_link, name="agreement_sign_link"),
]

urlpatterns += [
    path("<int:pk>/waitlist/", referrals.waitlist_add_view, name="waitlist_add"),
    path("waitlists/<int:site_pk>/", referrals.waitlist, name="waitlist"),
    path("waitlists/entries/<int:pk>/enroll/", referrals.waitlist_enroll_view, name="waitlist_enroll"),
    path("waitlists/entries/<int:pk>/skip/", referrals.waitlist_skip_view, name="waitlist_skip"),
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("referrals/new/", referrals.referral_create_view, name="referral_create"),
    path("referrals/funnel/", referrals.referral_funnel_view, name="referral_funnel"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", referrals.referral_update_view, name="referral_update"),
    path("referrals/<int:pk>/advance/", referrals.referral_advance_view, name="referral_advance"),
    path("referrals/<int:pk>/convert/", referrals.referral_convert_view, name="referral_convert"),
]
