"""The top bar holds every link on one line on a laptop, in both languages, for the role with most links."""

import pytest
from playwright.sync_api import Page

from artworx import roles
from tests.e2e.signin import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [1366, 1200])
def test_the_administrators_top_bar_fits_one_line(page: Page, live_server, language, width):
    UserFactory(
        username="alma", first_name="Alma", last_name="Reyes", role=roles.ADMINISTRATOR, language=language
    )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, "alma")
    links = page.locator("#nav-main .nav-link")
    assert links.count() >= 9
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    assert len(tops) == 1, f"the links sit on {len(tops)} lines"
    assert page.locator("nav").first.bounding_box()["height"] <= 60
    assert page.evaluate("document.documentElement.scrollWidth") <= width
