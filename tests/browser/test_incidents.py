"""The incident desk in a real browser, by keyboard: an IBP officer reports an incident through the
form, the CERT's analyst finds it on the desk and triages it. Every page is checked with axe-core
and against the Content-Security-Policy. (Only the date and time fields are filled by Playwright
rather than typed: headless Chromium's date fields take no typed digits.)"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.browser.test_sign_in import browser_page, policy_violations, serious_accessibility_violations
from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.incidents.models import Incident
from weerbaar.organisations.choices import OrganisationKind

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

__all__ = ["browser_page"]  # the fixture, shared with the sign-in tests

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def sign_in(page, live_server, user) -> None:
    """Give the browser a session of `user` that has passed the second factor (signing in itself
    is tested in test_sign_in)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def type_into(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def enter_moment(page, selector: str, moment) -> None:
    """A datetime-local field. Headless Chromium's date and time fields take no typed digits
    (the segments stay empty), so this one field is filled the way Playwright fills it; its
    focus and label are still reached by keyboard."""
    field = page.locator(selector)
    field.focus()
    field.fill(moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M"))


def choose(page, select, value: str) -> None:
    """Choose an option of a focused select by typing its label, as a keyboard user does (the
    label in whatever language the page is in)."""
    select.focus()
    page.keyboard.type(select.locator(f"option[value='{value}']").inner_text())
    assert select.input_value() == value


def assert_page_is_sound(page) -> None:
    assert page.locator("h1").count() == 1
    assert serious_accessibility_violations(page) == []
    assert policy_violations(page) == []
    assert not [m for m in page.console_messages if m.startswith(("error", "pageerror"))], page.console_messages


def test_an_officer_reports_by_keyboard_and_the_cert_triages_it(live_server, browser_page):
    po = sector("PO")
    board = OrganisationFactory(name="Stichting Klavier", sector=po)
    cert = OrganisationFactory(name="School-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([po])
    officer = member(Role.IBP_OFFICER, board, full_name="Ilse Klavier").user
    analyst = member(Role.CERT_ANALYST, cert, full_name="Carla Cert").user
    page = browser_page
    now = timezone.now()

    # The officer fills in the form with the keyboard only.
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/new/")
    assert_page_is_sound(page)
    type_into(page, "#id_title", "Phishing: twee accounts overgenomen")
    page.keyboard.press("Tab")
    # The description follows the title in the tab order.
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.type("Twee medewerkers vulden hun wachtwoord in op een valse inlogpagina.")
    choose(page, page.locator("#id_category"), "intrusions")
    enter_moment(page, "#id_detected_at", now - timedelta(hours=3))
    enter_moment(page, "#id_aware_at", now - timedelta(hours=2))
    type_into(page, "#id_contact_name", "Ilse Klavier")
    type_into(page, "#id_contact_phone", "+31 30 765 4321")
    page.locator("button[name=action][value=submit]").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}/$"))
    incident = Incident.objects.get()
    assert incident.status == "new"
    assert incident.cert == cert
    assert incident.category == "intrusions"
    assert abs(incident.aware_at - (now - timedelta(hours=2))) < timedelta(minutes=1)
    assert "Phishing: twee accounts overgenomen" in page.locator("h1").inner_text()
    assert page.locator("[role=status], .utrecht-alert, .messages").first.is_visible()
    assert_page_is_sound(page)

    # The CERT's analyst finds it on the desk and opens it with the keyboard.
    sign_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/incidents/")
    link = page.get_by_role("link", name="Phishing: twee accounts overgenomen")
    assert link.is_visible()
    assert_page_is_sound(page)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/incidents/{incident.public_id}/")
    assert_page_is_sound(page)

    # Triage: severity and kind chosen with the keyboard, saved with Enter.
    triage = page.locator(f"form[action='/incidents/{incident.public_id}/triage/']")
    choose(page, triage.locator("select[name=severity]"), "high")
    choose(page, triage.locator("select[name=category]"), "intrusions")
    triage.locator("button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_server.url}/incidents/{incident.public_id}/"
    incident.refresh_from_db()
    assert incident.status == "triaged"
    assert incident.severity == "high"
    assert incident.triaged_at is not None
    assert_page_is_sound(page)
