"""Signing in with a real browser: password, code, dashboard; accessible and within the CSP."""

import pytest

from tests.accounts.flows import totp_code
from tests.factories import member
from weerbaar.core.permissions import Role

# A live server needs a transactional database; the factories recreate the sectors that a
# flush removes (serialized_rollback would clash with content types recreated after a flush).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(monkeypatch):
    """A Chromium page that records every console message and uncaught error."""
    # Playwright's sync API runs an event loop in this thread; Django refuses database access
    # from a thread with a running loop unless told that this is intended.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        page.console_messages = []
        page.on(
            "console",
            lambda message: page.console_messages.append(f"{message.type}: {message.text}"),
        )
        page.on("pageerror", lambda error: page.console_messages.append(f"pageerror: {error}"))
        try:
            yield page
        finally:
            browser.close()


def policy_violations(page) -> list[str]:
    return [m for m in page.console_messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


def serious_accessibility_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_sign_in_with_password_and_authenticator_code(live_server, browser_page):
    officer = member(Role.IBP_OFFICER, full_name="Fatima Bakker").user
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("link[rel=stylesheet]").count() >= 3
    # The design system's stylesheet loaded: the primary button is not a browser-default grey.
    button_background = page.locator("form.account-form button[type=submit]").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert button_background not in {"rgba(0, 0, 0, 0)", "rgb(239, 239, 239)", "rgb(240, 240, 240)"}
    assert serious_accessibility_violations(page) == []

    page.locator("#id_login").fill(officer.email)
    page.locator("#id_password").fill("correct-horse-battery-staple-42")
    page.locator("form.account-form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert serious_accessibility_violations(page) == []
    page.locator("#id_code").fill(totp_code())
    page.locator("form.account-form button[type=submit]").first.click()

    page.wait_for_url(f"{live_server.url}/")
    heading = page.locator("h1")
    assert heading.count() == 1
    assert "Fatima" in heading.inner_text()
    assert serious_accessibility_violations(page) == []
    assert policy_violations(page) == []
    assert not [m for m in page.console_messages if m.startswith(("error", "pageerror"))], page.console_messages


def test_authenticator_app_setup_page_shows_the_qr_code(live_server, browser_page):
    officer = member(Role.IBP_OFFICER, with_mfa=False).user
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill(officer.email)
    page.locator("#id_password").fill("correct-horse-battery-staple-42")
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/")
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")

    qr = page.locator("img.account-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("#authenticator-secret").inner_text().strip()
    assert serious_accessibility_violations(page) == []
    assert policy_violations(page) == []
