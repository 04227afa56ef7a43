"""The API docs page in a real browser: Swagger UI starts under the strict Content-Security-Policy,
loads nothing from other origins, and a token pasted under Authorize works for "Try it out"."""

from urllib.parse import urlsplit

import pytest

from tests.api.helpers import token_for
from tests.factories import member
from weerbaar.core.permissions import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


def test_swagger_ui_runs_under_the_csp_and_calls_the_api_with_a_token(live_server):
    from playwright.sync_api import expect, sync_playwright

    person = member(Role.IBP_OFFICER).user
    secret = token_for(person, scope="read")
    own_host = urlsplit(live_server.url).netloc
    violations: list[str] = []
    foreign: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
            )
            page.on(
                "request",
                lambda request: (
                    foreign.append(request.url)
                    if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).netloc != own_host
                    else None
                ),
            )

            page.goto(f"{live_server.url}/api/docs/")
            # Tags are folded: every tag is listed, and the person opens the one they need.
            expect(page.locator("#operations-tag-me")).to_be_visible(timeout=15_000)
            assert page.locator(".opblock-tag").count() > 10
            page.locator("#operations-tag-me").click()
            expect(page.locator(".opblock-summary-path", has_text="/api/v1/me/")).to_have_count(1)

            page.get_by_role("button", name="Authorize").first.click()
            dialog = page.locator(".auth-container", has_text="personalAccessToken")
            dialog.locator("input").fill(secret)
            dialog.get_by_role("button", name="Apply credentials").click()
            page.locator(".modal-ux .close-modal").click()

            operation = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/me/"))
            operation.locator(".opblock-summary").click()
            operation.get_by_role("button", name="Try it out").click()
            operation.get_by_role("button", name="Execute").click()
            live = operation.locator(".live-responses-table")
            expect(live.locator("tbody .response-col_status").first).to_have_text("200", timeout=15_000)
            expect(live).to_contain_text(person.email)
        finally:
            browser.close()

    assert violations == []
    assert foreign == []
