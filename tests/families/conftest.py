import pytest

from tests.families.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-12345"


@pytest.fixture
def twilio(settings):
    """Twilio's REST API on loopback, with the app configured to use it through the real client."""
    fake = FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+12135550000"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = fake.url
    settings.ARTWORX_BASE_URL = "https://artworx.example"
    yield fake
    fake.close()
