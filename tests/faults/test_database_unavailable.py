"""The 503 page for a database that stopped answering: from a view, and from the 500 handler."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory
from django.urls import path

from artworx.middleware import DatabaseUnavailableMiddleware
from artworx.views import server_error

MESSAGE = "The database is unavailable; try again in a moment."


def lose_database(request):
    raise OperationalError("could not connect to server: Connection refused")


urlpatterns = [path("lost/", lose_database)]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection"),
        InterfaceError("closed"),
        # The driver's own, as closing a streamed download's server-side cursor raises it.
        connection.Database.OperationalError("server closed the connection unexpectedly"),
        connection.Database.InterfaceError("connection already closed"),
    ],
)
def test_it_answers_503_with_a_plain_message_when_a_view_loses_the_database(error):
    request = RequestFactory().get("/students/")
    response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert MESSAGE in response.content.decode()
    assert "server closed" not in response.content.decode()  # the error's own text stays in no page


def test_it_leaves_other_errors_to_the_500_page():
    request = RequestFactory().get("/students/")
    assert DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, ValueError()) is None


def test_the_500_handler_answers_503_for_a_database_error_raised_outside_a_view():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()


def test_the_500_handler_answers_503_for_the_drivers_own_error_too():
    request = RequestFactory().get("/exports/students.csv")
    try:
        raise connection.Database.OperationalError("server closed the connection unexpectedly")
    except connection.Database.OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()


def test_the_500_handler_still_answers_500_for_anything_else():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


@pytest.mark.urls(__name__)
def test_a_request_whose_view_loses_the_database_gets_the_503_page_through_the_whole_stack(client):
    response = client.get("/lost/")
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
