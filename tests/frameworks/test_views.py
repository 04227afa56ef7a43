"""The catalogue pages: reading for everyone signed in, import and the draft workflow for
coordinators, and refusals that change nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.frameworks.conftest import data, load
from tests.frameworks.test_services import snapshot
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks import oscal, selectors, services
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.models import Framework, Norm

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def big_catalogue(norms: int) -> cf.Catalogue:
    levels = tuple(cf.Text(f"Niveau {level}", f"Level {level}") for level in range(1, 6))
    domains = tuple(
        cf.DomainData(
            code=f"D{d}",
            title=cf.Text(f"Domein {d}"),
            norms=tuple(
                cf.NormData(
                    code=f"D{d}.{n:02d}",
                    title=cf.Text(f"Norm {n}"),
                    statement=cf.Text("Wat er moet zijn."),
                    rationale=cf.Text("Waarom."),
                    levels=levels,
                    references=("AVG art. 32",),
                )
                for n in range(norms // 4)
            ),
        )
        for d in range(4)
    )
    return cf.Catalogue(cf.FrameworkInfo(f"BIG-{norms}", cf.Text("Groot kader")), cf.VersionInfo("1"), domains)


def test_version_page_shows_domains_norms_and_levels(client, officer):
    version = load("mini.yaml")

    response = signed_in(client, officer).get(reverse("frameworks:version_detail", args=[version.public_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "GO.01 Policy adopted" in html  # English, the active language
    assert "GO.02 Rollen belegd" in html  # no English title: Dutch
    assert "<details" in html
    assert "The policy is adopted." in html
    assert "Make a new draft" not in html  # an officer does not maintain frameworks


def test_version_page_search_filters_norms(client, officer):
    version = load("mini.yaml")

    response = signed_in(client, officer).get(
        reverse("frameworks:version_detail", args=[version.public_id]), {"q": "register"}
    )

    html = response.content.decode()
    assert "PR.01" in html
    assert "GO.01" not in html


def test_version_page_uses_a_fixed_number_of_queries(client, officer):
    small = services.import_catalogue(actor=None, catalogue=big_catalogue(8)).version
    large = services.import_catalogue(actor=None, catalogue=big_catalogue(200)).version
    client = signed_in(client, officer)
    client.get(reverse("frameworks:version_detail", args=[small.public_id]))  # warm the session

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(reverse("frameworks:version_detail", args=[small.public_id])).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        response = client.get(reverse("frameworks:version_detail", args=[large.public_id]))

    assert response.content.decode().count('class="norm"') == 200
    assert len(large_queries) == len(small_queries)


def test_version_page_query_budget(client, officer, django_assert_max_num_queries):
    version = services.import_catalogue(actor=None, catalogue=big_catalogue(400)).version
    client = signed_in(client, officer)
    client.get(reverse("frameworks:framework_list"))

    # About ten queries are the platform's own per request (session, sign-in, second factor,
    # navigation); the page itself needs four: version, maintainer check, domains, norms.
    with django_assert_max_num_queries(20):
        client.get(reverse("frameworks:version_detail", args=[version.public_id]))


def test_norm_page_shows_mapped_norms_of_other_frameworks(client, officer):
    version = load("mini.yaml")
    load("reference-list.yaml")
    services.import_mappings(actor=None, mappings=cf.read_yaml(data("mappings.yaml")))
    norm = Norm.objects.get(version=version, code="GO.01")

    html = signed_in(client, officer).get(reverse("frameworks:norm_detail", args=[norm.public_id])).content.decode()

    assert "TEST-REF 2022" in html
    assert "5.1 Policies" in html
    assert ">Equivalent</td>" in html
    assert "Record the policy in a board decision." in html
    assert "AVG art. 32" in html


@pytest.mark.parametrize("export_format", ["yaml", "csv", "oscal"])
def test_export_download_imports_back_to_the_same_catalogue(client, officer, export_format):
    version = load("mini.yaml")

    response = signed_in(client, officer).get(
        reverse("frameworks:version_export", args=[version.public_id, export_format])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="TEST-KADER-2024.')
    body = response.content
    read = {"yaml": cf.read_yaml, "csv": cf.read_csv, "oscal": oscal.read_oscal}[export_format]
    assert read(body) == selectors.version_as_catalogue(version)


def test_drafts_are_not_found_by_those_who_do_not_maintain(client, officer):
    draft = services.create_draft_from(actor=None, version=load("mini.yaml"), label="2025")

    response = signed_in(client, officer).get(reverse("frameworks:version_detail", args=[draft.public_id]))

    assert response.status_code == 404


def test_diff_page_lists_added_removed_and_changed_norms(client, officer):
    old, new = load("mini.yaml"), load("mini-2025.yaml")

    response = signed_in(client, officer).get(
        reverse("frameworks:version_diff", args=[old.framework.public_id]),
        {"old": str(old.public_id), "new": str(new.public_id)},
    )

    html = response.content.decode()
    assert "1 added, 1 removed, 1 changed, 1 unchanged." in html
    assert "GO.03" in html
    assert "GO.02" in html
    assert "title, level 3" in html


# --- import ----------------------------------------------------------------------------------


def upload(client, name: str, content: bytes, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("frameworks:catalogue_import"),
        {"file": SimpleUploadedFile(name, content), **fields},
    )


def test_officer_may_not_import(client, officer):
    client = signed_in(client, officer)

    assert client.get(reverse("frameworks:catalogue_import")).status_code == 403
    assert upload(client, "mini.yaml", data("mini.yaml")).status_code == 403
    assert not Framework.objects.exists()


def test_coordinator_imports_a_file_and_maintains_the_new_framework(client, coordinator):
    response = upload(signed_in(client, coordinator), "mini.yaml", data("mini.yaml"))

    framework = Framework.objects.get(code="TEST-KADER")
    version = framework.versions.get()
    assert response.status_code == 302
    assert response.url == reverse("frameworks:version_detail", args=[version.public_id])
    assert framework.maintainer.name == "Kennisnet"
    assert version.status == VersionStatus.PUBLISHED


def test_import_of_a_broken_file_lists_every_problem_and_writes_nothing(client, coordinator):
    text = (
        data("mini.yaml")
        .decode()
        .replace("      - code: GO.02\n", "      - code: GO.01\n")
        .replace("part: privacy", "part: geheim")
    )

    response = upload(signed_in(client, coordinator), "mini.yaml", text.encode())

    assert response.status_code == 400
    html = response.content.decode()
    assert "(domains[0].norms[1].code): The norm code “GO.01” occurs twice" in html
    assert "(domains[1].part): The part must be one of: security, privacy, other." in html
    assert not Framework.objects.exists()


def test_import_of_an_oscal_catalog_with_a_chosen_code_as_draft(client, coordinator):
    from tests.frameworks.conftest import NIST_BASIC, oscal_fixture

    response = upload(
        signed_in(client, coordinator),
        "basic-catalog.json",
        oscal_fixture(NIST_BASIC),
        oscal_code="NIST-BASIC",
        as_draft="on",
    )

    version = Framework.objects.get(code="NIST-BASIC").versions.get()
    assert response.status_code == 302
    assert version.status == VersionStatus.DRAFT
    assert version.norms.count() == 4


# --- draft workflow --------------------------------------------------------------------------


def norm_post(norm, **changes):
    from weerbaar.frameworks.forms import NormForm

    values = {key: value for key, value in NormForm.initial_for(norm).items() if value is not None}
    values["domain"] = str(norm.domain_id)
    values.pop("id_confirmed")
    if norm.id_confirmed:
        values["id_confirmed"] = "on"
    values.update(changes)
    return values


def test_editing_a_norm_of_a_published_version_is_refused_by_the_page(client, coordinator):
    version = load("mini.yaml")
    norm = Norm.objects.get(version=version, code="GO.01")
    before = snapshot()
    client = signed_in(client, coordinator)

    response = client.post(reverse("frameworks:norm_edit", args=[norm.public_id]), norm_post(norm, title_nl="Anders"))

    assert response.status_code == 400
    assert "This version is published and can no longer be changed" in response.content.decode()
    assert client.get(reverse("frameworks:norm_edit", args=[norm.public_id])).status_code == 302
    assert snapshot() == before


def test_coordinator_makes_a_draft_edits_it_and_publishes_it(client, coordinator):
    version = load("mini.yaml")
    client = signed_in(client, coordinator)

    response = client.post(reverse("frameworks:version_new_draft", args=[version.public_id]), {"label": "2025"})
    draft = version.framework.versions.get(label="2025")
    assert response.status_code == 302
    assert draft.status == VersionStatus.DRAFT

    norm = Norm.objects.get(version=draft, code="GO.02")
    response = client.post(
        reverse("frameworks:norm_edit", args=[norm.public_id]),
        norm_post(
            norm,
            title_en="Roles assigned",
            target_measures_nl="Wijs een eigenaar aan.\nLeg taken vast.",
        ),
    )
    assert response.status_code == 302
    norm.refresh_from_db()
    assert norm.title_en == "Roles assigned"
    assert norm.target_measures == [{"nl": "Wijs een eigenaar aan."}, {"nl": "Leg taken vast."}]

    assert client.post(reverse("frameworks:version_publish", args=[draft.public_id])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_publish_and_new_draft_are_refused_to_an_officer(client, officer):
    version = load("mini.yaml")
    draft = services.create_draft_from(actor=None, version=version, label="2025")
    before = snapshot()
    client = signed_in(client, officer)

    # The draft is invisible to the officer (404); the published version is visible but not
    # theirs (403).
    assert client.post(reverse("frameworks:version_publish", args=[draft.public_id])).status_code == 404
    assert (
        client.post(reverse("frameworks:version_new_draft", args=[version.public_id]), {"label": "x"}).status_code
        == 403
    )
    assert snapshot() == before


def test_coordinator_of_another_maintainer_may_not_publish(client, coordinator, other_coordinator):
    version = services.import_catalogue(
        actor=coordinator, catalogue=cf.read_yaml(data("mini.yaml")), publish=False
    ).version
    before = snapshot()

    response = signed_in(client, other_coordinator).post(
        reverse("frameworks:version_publish", args=[version.public_id])
    )

    assert response.status_code == 404  # another organisation's draft is not even visible
    assert snapshot() == before


def test_adding_a_norm_to_a_draft_through_the_page(client, coordinator):
    draft = services.create_draft_from(actor=None, version=load("mini.yaml"), label="2025")
    domain = draft.domains.get(code="PR")
    client = signed_in(client, coordinator)

    response = client.post(
        reverse("frameworks:norm_add", args=[draft.public_id]),
        {
            "code": "PR.02",
            "domain": str(domain.pk),
            "title_nl": "Verwerkersovereenkomsten",
            "statement_nl": "",
            "statement_en": "",
            "rationale_nl": "",
            "rationale_en": "",
            "title_en": "",
            "target_measures_nl": "",
            "target_measures_en": "",
            "references": "AVG art. 28",
            **{f"level_{level}_{lang}": "" for level in range(1, 6) for lang in ("nl", "en")},
        },
    )

    assert response.status_code == 302
    added = Norm.objects.get(version=draft, code="PR.02")
    assert added.domain == domain
    assert added.references == ["AVG art. 28"]
