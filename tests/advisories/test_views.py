"""The pages: list with my matches first, an advisory with my matches and answer, the CERT's
counts without names, taking in and writing advisories, the software list and its imports."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.advisories.conftest import csaf_fixture
from tests.advisories.test_services import LOG4J, _inventory, write
from weerbaar.advisories.models import Advisory, Answer, InventoryItem


def test_list_puts_my_matches_first_and_hides_amber_from_outsiders(world, client_as):
    _inventory(world)
    matched = write(world, title="Log4j-lek")
    client = client_as(world.officer_b)
    page = client.get(reverse("advisories:index")).content.decode()
    assert "Log4j-lek" in page
    assert client_as(world.outsider_officer).get(reverse("advisories:index")).content.decode().count("Log4j-lek") == 0
    response = client_as(world.outsider_officer).get(reverse("advisories:detail", args=[matched.public_id]))
    assert response.status_code == 404


def test_detail_shows_own_matches_and_saves_answer(world, client_as):
    _inventory(world)
    advisory = write(world)
    client = client_as(world.officer_a)
    url = reverse("advisories:detail", args=[advisory.public_id])
    page = client.get(url).content.decode()
    assert "log4j-core" in page
    assert "Stichting B" not in page  # another institution's match is never shown
    response = client.post(
        url,
        {"organisation": world.board_a.pk, "state": "patched", "patched_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert Answer.objects.get(organisation=world.board_a).state == "patched"
    response = client.post(url, {"organisation": world.board_a.pk, "state": "patched"})
    assert response.status_code == 200
    assert "Give the date the update was installed." in response.content.decode()


def test_cert_sees_counts_without_names(world, client_as):
    _inventory(world)
    advisory = write(world)
    page = client_as(world.analyst).get(reverse("advisories:detail", args=[advisory.public_id])).content.decode()
    assert "Your constituency" in page
    for name in ("Stichting A", "Stichting B", "School A1", "log4j-core"):
        assert name not in page


def test_csaf_download_is_the_kept_document(world, client_as):
    advisory = write(world)
    response = client_as(world.officer_a).get(reverse("advisories:csaf", args=[advisory.public_id]))
    assert response.status_code == 200
    assert response.content == bytes(advisory.raw)
    assert json.loads(response.content)["document"]["tracking"]["id"] == advisory.tracking_id


def test_upload_refuses_naming_the_test_and_takes_in_valid(world, client_as):
    client = client_as(world.analyst)
    bad = csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json")
    response = client.post(
        reverse("advisories:upload"),
        {"owner": world.cert.pk, "default_tlp": "amber", "document": SimpleUploadedFile("x.json", bad.read_bytes())},
    )
    assert response.status_code == 200
    assert "6.1.1 Missing Definition of Product ID" in response.content.decode()
    assert not Advisory.objects.exists()
    good = csaf_fixture("examples/cisco-sa-20180328-smi2.json")
    response = client.post(
        reverse("advisories:upload"),
        {"owner": world.cert.pk, "default_tlp": "amber", "document": SimpleUploadedFile("c.json", good.read_bytes())},
    )
    assert response.status_code == 302
    assert Advisory.objects.get().tlp == "amber"


def test_institutions_cannot_upload_or_write(world, client_as):
    client = client_as(world.officer_a)
    assert client.get(reverse("advisories:upload")).status_code == 403
    assert client.get(reverse("advisories:write")).status_code == 403


def test_write_page_publishes_valid_csaf(world, client_as):
    client = client_as(world.analyst)
    response = client.post(
        reverse("advisories:write"),
        {
            "owner": world.cert.pk,
            "title": "Lek in Somtoday-koppeling",
            "tlp": "green",
            "summary": "Beschrijving",
            "cve": "CVE-2026-12345",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "kans": "high",
            "schade": "medium",
            "products": "Topicus; Somtoday; vers:generic/<2.1\nApache; Log4j; ; ; " + LOG4J,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    advisory = Advisory.objects.get()
    assert float(advisory.cvss_max) == 9.8
    assert advisory.products.count() == 2
    response = client.post(
        reverse("advisories:write"),
        {
            "owner": world.cert.pk,
            "title": "x",
            "tlp": "green",
            "summary": "x",
            "cvss_vector": "nonsense",
            "products": "a; b",
        },
    )
    assert response.status_code == 200
    assert "6.1.9" in response.content.decode()


def test_inventory_page_add_import_remove(world, client_as):
    client = client_as(world.officer_a)
    url = reverse("advisories:inventory", args=[world.board_a.public_id])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"vendor": "Microsoft", "product": "Windows 11", "version": "10.0.22631.2861"}).status_code
        == 302
    )
    csv_data = b"vendor,product,version\nTopicus,Somtoday,\nMicrosoft,Windows 10,10.0.19045.100\n"
    response = client.post(url, {"kind": "csv", "file": SimpleUploadedFile("list.csv", csv_data)})
    assert response.status_code == 302
    assert InventoryItem.objects.filter(organisation=world.board_a).count() == 2
    response = client.post(url, {"kind": "cyclonedx", "file": SimpleUploadedFile("bom.json", b"{}")})
    assert response.status_code == 200
    assert "CycloneDX" in response.content.decode()
    assert InventoryItem.objects.filter(organisation=world.board_a).count() == 2
    item = InventoryItem.objects.filter(organisation=world.board_a).first()
    assert client.post(reverse("advisories:item_remove", args=[item.public_id])).status_code == 302
    assert InventoryItem.objects.filter(organisation=world.board_a).count() == 1


def test_inventory_of_others_is_not_found(world, client_as):
    url = reverse("advisories:inventory", args=[world.board_a.public_id])
    assert client_as(world.officer_b).get(url).status_code == 404
    assert client_as(world.analyst).get(url).status_code == 404
    item = InventoryItem.objects.create(organisation=world.board_a, vendor="a", product="b", name_key="a|b")
    assert client_as(world.officer_b).post(reverse("advisories:item_remove", args=[item.public_id])).status_code == 404
    # The DPO reads the list but cannot change it.
    dpo = client_as(world.dpo_a)
    assert dpo.get(url).status_code == 200
    assert dpo.post(reverse("advisories:item_remove", args=[item.public_id])).status_code == 404


def test_suggestions(world, client_as):
    write(world, tlp="clear", products=[{"vendor": "Topicus", "product": "Somtoday", "version_range": ""}])
    response = client_as(world.officer_a).get(reverse("advisories:suggestions"), {"product": "somt"})
    assert '<option value="Somtoday">' in response.content.decode()


def test_notification_shown_once_and_marked_read(world, client_as):
    _inventory(world)
    advisory = write(world)
    client = client_as(world.officer_a)
    page = client.get(reverse("advisories:index")).content.decode()
    assert "A high-risk advisory matches software of Stichting A" in page
    assert str(advisory.public_id) in page
    assert client.post(reverse("advisories:notifications_read")).status_code == 302
    assert "A high-risk advisory matches" not in client.get(reverse("advisories:index")).content.decode()
