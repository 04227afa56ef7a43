"""The page shell: Dutch first, a strict Content-Security-Policy, accessible forms and menus."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import member
from weerbaar.accounts import services as account_services
from weerbaar.core.permissions import Role
from weerbaar.organisations import services as organisation_services

pytestmark = pytest.mark.django_db


class PageScan(HTMLParser):
    """Collects what a strict CSP would refuse, plus the attributes of every element by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts = 0
        self.style_elements = 0
        self.style_attributes = []
        self.by_id = {}
        self.elements = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if "id" in attributes:
            self.by_id[attributes["id"]] = (tag, attributes)
        if "style" in attributes:
            self.style_attributes.append(tag)
        if tag == "style":
            self.style_elements += 1
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1

    def find(self, tag, **wanted):
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items())]


def scan(response) -> PageScan:
    parser = PageScan()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def officer(organisation):
    membership = member(Role.IBP_OFFICER, organisation, full_name="Anna de Vries")
    # Give every page something to show: members, audit entries and a token.
    organisation_services.invite_member(
        actor=membership.user,
        organisation=organisation,
        email="fg@example.test",
        role=Role.DPO,
        full_name="Fatima el Amrani",
    )
    account_services.create_api_token(actor=membership.user, name="monitoring", scope="read", days_valid=30)
    return membership


def shell_pages(organisation) -> list[str]:
    base = f"/organisations/{organisation.public_id}/"
    return [
        "/",
        "/organisations/",
        base,
        base + "members/",
        base + "audit-log/",
        base + "edit/",
        "/account/tokens/",
    ]


def test_every_page_of_the_shell_renders_without_inline_script_or_style(client_as, officer, organisation):
    client = client_as(officer)
    for path in shell_pages(organisation):
        response = client.get(path)
        assert response.status_code == 200, path
        page = scan(response)
        assert page.inline_scripts == 0, f"inline <script> on {path}"
        assert page.style_elements == 0, f"<style> on {path}"
        assert page.style_attributes == [], f"style= on {path}: {page.style_attributes}"


def test_login_page_has_no_inline_script_or_style(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = scan(response)
    assert (page.inline_scripts, page.style_elements, page.style_attributes) == (0, 0, [])


def test_every_page_sends_a_policy_that_refuses_inline_code(client_as, officer, organisation, client):
    anonymous = client.get("/accounts/login/")
    signed_in = client_as(officer)
    for response in [anonymous, *(signed_in.get(path) for path in shell_pages(organisation))]:
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert "'unsafe-inline'" not in policy
        assert "'unsafe-eval'" not in policy
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"


def test_pages_are_dutch_by_default_and_english_after_choosing_it(client_as, officer):
    client = client_as(officer)

    dutch = client.get("/")
    assert 'lang="nl"' in dutch.content.decode()
    assert "Welkom, Anna" in dutch.content.decode()
    assert "Uitloggen" in dutch.content.decode()

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302

    english = client.get("/").content.decode()
    assert 'lang="en"' in english
    assert "Welcome, Anna" in english
    assert "Sign out" in english
    # The switch back offers Dutch, marked as Dutch for screen readers.
    assert scan(client.get("/")).find("button", name="language", value="nl", lang="nl")


def test_organisation_pages_speak_the_sector_language(client_as, officer, organisation):
    page = client_as(officer).get(f"/organisations/{organisation.public_id}/members/").content.decode()

    assert "IBP-coördinator" in page
    assert "Functionaris gegevensbescherming (FG)" in page
    assert "Iemand uitnodigen" in page


def test_the_link_to_the_current_page_is_marked_current(client_as, officer, organisation):
    client = client_as(officer)

    dashboard = scan(client.get("/"))
    assert dashboard.find("a", href="/", **{"aria-current": "page"})
    assert not dashboard.find("a", href="/organisations/", **{"aria-current": "page"})

    # On an organisation's own page its section stays marked, but not as this very page.
    detail = scan(client.get(f"/organisations/{organisation.public_id}/"))
    assert detail.find("a", href="/organisations/", **{"aria-current": "true"})
    assert not detail.find("a", href="/", **{"aria-current": "page"})


def test_invalid_form_fields_point_to_their_error_and_are_listed_on_top(client_as, officer, organisation):
    before = organisation.memberships.count()

    response = client_as(officer).post(
        f"/organisations/{organisation.public_id}/members/invite/",
        {"email": "not an address", "role": Role.DPO},
    )

    assert response.status_code == 400
    assert organisation.memberships.count() == before
    page = scan(response)
    _tag, email = page.by_id["id_email"]
    assert email["aria-invalid"] == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    assert "id_email_error" in page.by_id
    # The summary links to the field, so keyboard users get there in one step.
    assert page.find("a", href="#id_email")
    # Fields without errors are not marked invalid.
    assert "aria-invalid" not in page.by_id["id_full_name"][1]


def test_help_text_is_announced_with_its_field(client_as, officer):
    page = scan(client_as(officer).get("/account/tokens/"))

    _tag, name = page.by_id["id_name"]
    assert name["aria-describedby"] == "id_name_helptext"
    assert page.by_id["id_name_helptext"][0] == "p"


def test_every_visible_form_control_has_a_label(client_as, officer, organisation):
    client = client_as(officer)
    for path in shell_pages(organisation):
        page = scan(client.get(path))
        labelled = {a.get("for") for t, a in page.elements if t == "label"}
        for tag, attributes in page.elements:
            if tag not in {"input", "select", "textarea"} or attributes.get("type") in {
                "hidden",
                "submit",
            }:
                continue
            assert attributes.get("id") in labelled or attributes.get("aria-label"), f"{tag} {attributes} on {path}"


def test_every_table_has_a_caption_and_scoped_headers(client_as, officer, organisation):
    client = client_as(officer)
    for path in shell_pages(organisation):
        html = client.get(path).content.decode()
        assert html.count("<table") == html.count("<caption"), path
        page = scan(client.get(path))
        for header in page.find("th"):
            assert header.get("scope") in {"col", "row"}, path


def test_search_results_fragment_carries_its_own_announcement(client_as, officer, organisation):
    response = client_as(officer).get(
        f"/organisations/{organisation.public_id}/members/",
        {"q": "fatima"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert "<html" not in html
    page = scan(response)
    announcement = [a for t, a in page.elements if "data-announce" in a]
    assert len(announcement) == 1
    assert "1 persoon gevonden" in html


def test_empty_search_says_so(client_as, officer, organisation):
    html = (
        client_as(officer)
        .get(f"/organisations/{organisation.public_id}/audit-log/", {"q": "no-such-thing"})
        .content.decode()
    )

    assert "Geen logregel past bij je zoekopdracht." in html


def test_htmx_gets_the_csrf_token_and_a_configuration_without_inline_styles(client_as, officer):
    page = scan(client_as(officer).get("/"))

    (token,) = page.find("meta", name="csrf-token")
    assert len(token["content"]) >= 32
    (config,) = page.find("meta", name="htmx-config")
    settings = json.loads(config["content"])
    # htmx 2 otherwise adds an indicator <style> element, which the policy refuses.
    assert settings["includeIndicatorStyles"] is False
    assert settings["allowEval"] is False
    # Pages hold institution data: htmx must not keep copies of them in the browser's storage.
    assert settings["historyCacheSize"] == 0


class SampleForm(forms.Form):
    email = forms.EmailField(label="E-mail", help_text="Work address")
    agree = forms.BooleanField(label="I agree")
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A")])


def render_form(form) -> PageScan:
    html = Template('{% include "core/_form.html" %}').render(Context({"form": form}))
    parser = PageScan()
    parser.feed(html)
    return parser


def test_form_renderer_adds_design_system_classes_and_links_help_and_errors():
    form = SampleForm(data={"email": "nope"})
    form.is_valid()

    page = render_form(form)

    email = page.by_id["id_email"][1]
    assert "utrecht-textbox" in email["class"].split()
    assert email["aria-describedby"].split() == ["id_email_helptext", "id_email_error"]
    assert email["aria-invalid"] == "true"
    assert "utrecht-checkbox" in page.by_id["id_agree"][1]["class"].split()
    assert "utrecht-select" in page.by_id["id_kind"][1]["class"].split()
    # A group of radio buttons is a fieldset with a legend, described as a whole.
    (fieldset,) = page.find("fieldset")
    assert fieldset["aria-describedby"] == "id_colour_error"
    assert page.find("legend")


def test_valid_form_shows_no_error_summary():
    page = render_form(SampleForm())

    assert not [a for t, a in page.elements if "data-error-summary" in a]
    assert "aria-invalid" not in page.by_id["id_email"][1]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ""),
        ("/account/tokens/", ' aria-current="page"'),
        ("/account/tokens/extra/", ' aria-current="true"'),
    ],
)
def test_aria_current_marks_page_and_section(path, expected):
    request = RequestFactory().get(path)

    rendered = Template("{% load ui %}{% aria_current 'accounts:token_list' %}").render(Context({"request": request}))

    assert rendered == expected


def test_root_link_is_current_only_on_the_root_page():
    request = RequestFactory().get("/organisations/")

    rendered = Template("{% load ui %}{% aria_current 'organisations:dashboard' %}").render(
        Context({"request": request})
    )

    assert rendered == ""


TOKENS_CSS = Path(__file__).resolve().parents[2] / "src" / "weerbaar" / "static" / "weerbaar" / "tokens.css"

# (foreground, background, minimum): text needs 4.5:1, borders of controls and focus rings 3:1.
COLOUR_PAIRS = [
    ("text", "background", 4.5),
    ("text", "page", 4.5),
    ("text-muted", "background", 4.5),
    ("text-muted", "page", 4.5),
    ("text-muted", "surface-alt", 4.5),
    ("primary", "background", 4.5),
    ("primary", "primary-light", 4.5),
    ("primary-dark", "primary-light", 4.5),
    ("on-primary", "primary", 4.5),
    ("on-primary", "primary-dark", 4.5),
    ("on-primary-muted", "primary", 4.5),
    ("link-visited", "background", 4.5),
    ("text", "info-surface", 4.5),
    ("ok-text", "ok-surface", 4.5),
    ("warning-text", "warning-surface", 4.5),
    ("danger-text", "danger-surface", 4.5),
    ("danger", "background", 4.5),
    ("danger", "danger-surface", 4.5),
    ("neutral-text", "neutral-surface", 4.5),
    ("on-primary", "danger", 4.5),
    ("border-strong", "background", 3),
    ("focus", "background", 3),
    ("focus-inverse", "primary", 3),
    ("ok", "track", 3),
    ("warning", "track", 3),
    ("danger", "track", 3),
    ("primary", "track", 3),
]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("foreground", "background", "minimum"), COLOUR_PAIRS)
def test_design_token_colours_meet_wcag_contrast(foreground, background, minimum):
    declared = re.findall(r"--wb-color-([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", TOKENS_CSS.read_text())
    tokens = dict(declared)

    ratio = contrast(tokens[foreground], tokens[background])

    assert ratio >= minimum, f"{foreground} on {background}: {ratio:.2f}:1"
