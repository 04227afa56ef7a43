"""Dutch first: the language switch decides, not the browser's settings."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_dutch_even_when_the_browser_asks_for_english(client):
    page = client.get("/accounts/login/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.headers["Content-Language"] == "nl"


def test_the_switch_chooses_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert page.headers["Content-Language"] == "en"


def test_an_unknown_language_cookie_falls_back_to_dutch(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/accounts/login/").headers["Content-Language"] == "nl"


def test_api_clients_may_ask_for_english(client):
    response = client.get("/api/v1/me/", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"
