from django.urls import path

from programs import views

app_name = "programs"
# A pathway's page compares its outcomes with the dashboard's targets: reports serves it in this
# namespace (config/urls.py).
urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("new/", views.program_form, name="program_create"),
    path("<int:pk>/edit/", views.program_form, name="program_update"),
    path("pathways/new/", views.pathway_form, name="pathway_create"),
    path("certifications/new/", views.certification_create, name="certification_create"),
    path("pathways/<int:pk>/edit/", views.pathway_form, name="pathway_update"),
    path("students/<int:pk>/credentials/new/", views.credential_create, name="credential_create"),
    path("students/<int:pk>/placements/new/", views.placement_create_view, name="placement_create"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_update, name="cohort_update"),
    path("cohorts/<int:pk>/participants/new/", views.participation_create_view, name="participation_create"),
    path("cohorts/<int:pk>/complete/", views.cohort_complete_view, name="cohort_complete"),
    path("cohorts/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("participations/<int:pk>/end/", views.participation_end_view, name="participation_end"),
    path("sessions/", views.my_sessions_view, name="my_sessions"),
    path("sessions/not-logged/", views.unlogged_sessions_view, name="unlogged_sessions"),
    path("attendance-alerts/", views.attendance_alerts_view, name="attendance_alerts"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/move/", views.session_move_view, name="session_move"),
    path("sessions/<int:pk>/cancel/", views.session_cancel_view, name="session_cancel"),
]
