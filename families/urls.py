from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("students/<int:pk>/text/", views.family_message_create, name="message_create"),
    # The provider's webhooks: signed by Twilio, no session.
    path("twilio/status/", views.status_callback, name="status_callback"),
    path("twilio/inbound/", views.inbound_text, name="inbound"),
]
