"""The pages, browser-free: a DPO builds a local DPIA from a central one and a board member
accepts it; the catalogue page costs a fixed number of queries; outsiders get 404."""

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.privacy.conftest import make_central
from weerbaar.privacy import services
from weerbaar.privacy.choices import LocalStatus
from weerbaar.privacy.models import Breach, LocalDPIA, ProcessingActivity, Product

TODAY = timezone.localdate


def test_dpo_builds_local_dpia_from_central_and_board_accepts(world, client):
    client.force_login(world.dpo_a.user)
    page = client.get(reverse("privacy:central", args=[world.central.public_id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "medium risk (orange)" in body  # the level in words as well as colour
    assert "badge--warning" in body
    # Start the local DPIA.
    response = client.post(
        reverse("privacy:local_start", args=[world.central.public_id]),
        {"start-organisation": str(world.board_a.public_id), "start-title": "Leerplatform bij Alfa"},
    )
    dpia = LocalDPIA.objects.get(organisation=world.board_a)
    assert response.url == reverse("privacy:local", args=[dpia.public_id])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Vendor reads pupil data" in page.content.decode()
    # Part A and B, and the pre-scan.
    response = client.post(
        response.url,
        {
            "title": "Leerplatform bij Alfa",
            "description": "Lessen en opdrachten online",
            "legal_basis": "public_task",
            "lawfulness": "Nodig voor het onderwijs",
            "edpb_criteria": ["vulnerable", "large_scale"],
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "2 EDPB criteria are met" in page
    # Untick a risk, record a measure.
    r3 = dpia.risks.get(central_risk__code="R3")
    prefix = f"risk-{r3.public_id.hex}"
    client.post(
        reverse("privacy:local_risk", args=[dpia.public_id, r3.public_id]),
        {f"{prefix}-likelihood": "low", f"{prefix}-impact": "low", f"{prefix}-residual": "low"},
    )
    r3.refresh_from_db()
    assert not r3.applies
    m1 = dpia.measures.get(school_measure__code="M1")
    prefix = f"measure-{m1.public_id.hex}"
    client.post(
        reverse("privacy:local_measure", args=[dpia.public_id, m1.public_id]),
        {f"{prefix}-implemented": "on", f"{prefix}-implemented_on": TODAY().isoformat()},
    )
    m1.refresh_from_db()
    assert m1.implemented
    # The DPO's advice.
    response = client.post(
        reverse("privacy:local_advice", args=[dpia.public_id]),
        {"advice-advice": "Verantwoord met de instellingen", "advice-advised_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    # The DPO cannot accept: that is the board's.
    response = client.post(
        reverse("privacy:local_accept", args=[dpia.public_id]),
        {"accept-accepted_on": TODAY().isoformat(), "accept-review_due": (TODAY() + timedelta(days=365)).isoformat()},
    )
    assert response.status_code == 404
    # The board member accepts; a date before the advice is refused first.
    client.force_login(world.board_member_a.user)
    page = client.get(reverse("privacy:local", args=[dpia.public_id])).content.decode()
    assert "Acceptance by the board" in page
    response = client.post(
        reverse("privacy:local_accept", args=[dpia.public_id]),
        {
            "accept-accepted_on": (TODAY() - timedelta(days=3)).isoformat(),
            "accept-review_due": (TODAY() + timedelta(days=365)).isoformat(),
            "accept-residual_accepted": "R1 blijft midden",
        },
    )
    assert response.status_code == 400
    dpia.refresh_from_db()
    assert dpia.status == LocalStatus.ADVISED
    response = client.post(
        reverse("privacy:local_accept", args=[dpia.public_id]),
        {
            "accept-accepted_on": TODAY().isoformat(),
            "accept-review_due": (TODAY() + timedelta(days=365)).isoformat(),
            "accept-residual_accepted": "R1 blijft midden",
        },
    )
    assert response.status_code == 302
    dpia.refresh_from_db()
    assert dpia.status == LocalStatus.ACCEPTED
    assert dpia.accepted_by == world.board_member_a.user
    # Exports.
    data = json.loads(client.get(reverse("privacy:local_export", args=[dpia.public_id, "json"])).content)
    assert data["status"] == "accepted"
    pdf = client.get(reverse("privacy:local_export", args=[dpia.public_id, "pdf"]))
    assert pdf.content.startswith(b"%PDF")


def test_another_organisations_dpo_gets_404_everywhere(world, client):
    dpia = services.start_local_dpia(
        actor=world.dpo_a.user, organisation=world.board_a, title="x", central=world.central
    )
    services.apply_template(actor=world.dpo_a.user, organisation=world.board_a)
    breach = services.record_breach(
        actor=world.dpo_a.user, organisation=world.board_a, title="USB-stick kwijt", discovered_on=TODAY()
    )
    client.force_login(world.dpo_b.user)
    for url in (
        reverse("privacy:local", args=[dpia.public_id]),
        reverse("privacy:local_export", args=[dpia.public_id, "json"]),
        reverse("privacy:organisation", args=[world.board_a.public_id]),
        reverse("privacy:register", args=[world.board_a.public_id]),
        reverse("privacy:register_export", args=[world.board_a.public_id, "csv"]),
        reverse("privacy:breaches", args=[world.board_a.public_id]),
        reverse("privacy:breaches_export", args=[world.board_a.public_id]),
        reverse("privacy:breach_edit", args=[world.board_a.public_id, breach.public_id]),
    ):
        assert client.get(url).status_code in (403, 404), url
    response = client.post(reverse("privacy:local", args=[dpia.public_id]), {"title": "stolen"})
    assert response.status_code in (403, 404)
    dpia.refresh_from_db()
    assert dpia.title == "x"
    assert Breach.objects.get().title == "USB-stick kwijt"
    assert ProcessingActivity.objects.filter(organisation=world.board_b).count() == 0


def test_register_and_breach_pages(world, client):
    client.force_login(world.dpo_a.user)
    url = reverse("privacy:register", args=[world.board_a.public_id])
    assert "The register is empty" in client.get(url).content.decode()
    client.post(url, {"template": "1"})
    page = client.get(url).content.decode()
    assert "Camera surveillance" in page
    xlsx = client.get(reverse("privacy:register_export", args=[world.board_a.public_id, "xlsx"]))
    assert xlsx.status_code == 200
    # A broken upload: errors listed, nothing written.
    before = ProcessingActivity.objects.count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"import-file": SimpleUploadedFile("r.csv", b"name,purposes,legal_basis\nA,B,magic\n")})
    assert "2, kolom legal_basis" in response.content.decode() or "2, column legal_basis" in response.content.decode()
    assert ProcessingActivity.objects.count() == before
    # A breach entered directly.
    response = client.post(
        reverse("privacy:breach_new", args=[world.board_a.public_id]),
        {
            "title": "E-mail aan verkeerde ouder",
            "discovered_on": TODAY().isoformat(),
            "report_to_authority": "no_report",
            "authority_reason": "Eén ouder, gegevens verwijderd",
            "inform_people": "undecided",
            "decided_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("privacy:breaches", args=[world.board_a.public_id])).content.decode()
    assert "E-mail aan verkeerde ouder" in page


def test_coordinator_publishes_through_the_pages(world, client, django_capture_on_commit_callbacks):
    services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=world.other_product)
    client.force_login(world.coordinator.user)
    response = client.post(
        reverse("privacy:central_new", args=[world.other_product.public_id]),
        {
            "assessed_on": TODAY().isoformat(),
            "assessor": "SIVON",
            "advice": "low",
            "risks": "R1 | Profiling of pupils | low | high | low",
            "school_measures": "M1 | settings | Turn off ads",
            "vendor_measures": "Remove tracker | 2020-01-01",
        },
    )
    assert response.status_code == 302
    central = world.other_product.central_dpias.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:central_action", args=[central.public_id, "publish"]))
    central.refresh_from_db()
    assert central.status == "published"
    page = client.get(reverse("privacy:sector")).content.decode()
    assert "Remove tracker" in page  # overdue vendor measure
    # A school DPO cannot publish.
    client.force_login(world.dpo_a.user)
    draft = make_central(world.coordinator.user, world.other_product, publish=False)
    response = client.post(reverse("privacy:central_action", args=[draft.public_id, "publish"]))
    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Nor read a draft.
    assert client.get(reverse("privacy:central", args=[draft.public_id])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_catalogue_page_has_a_fixed_number_of_queries(world, client):
    client.force_login(world.dpo_a.user)
    url = reverse("privacy:catalogue")
    _queries(client, url)  # the first request of a session loads it
    small = _queries(client, url)
    for i in range(30):
        product = services.save_product(
            actor=None, steward=world.steward, code=f"p{i}", vendor_name=f"Vendor {i % 4}", name=f"Product {i}"
        )
        services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=product)
        make_central(world.coordinator.user, product)
    assert Product.objects.count() == 32
    assert _queries(client, url) == small


def test_coordinator_and_sector_pages(world, client):
    client.force_login(world.coordinator.user)
    page = client.get(reverse("privacy:catalogue")).content.decode()
    assert "Leerplatform" in page
    assert "Add a product" in page or "Product toevoegen" in page
    page = client.get(reverse("privacy:sector")).content.decode()
    assert "Rekenapp" in page
    # A DPO outside the catalogue's sectors sees an empty catalogue.
    client.force_login(world.mbo_dpo.user)
    assert client.get(reverse("privacy:product", args=[world.product.public_id])).status_code == 404
