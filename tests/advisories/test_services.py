"""Advisories in the database: TLP per role, inventories (by hand, CSV, CycloneDX), matching when
an advisory arrives or an inventory changes, answers, notifications and the CERT's counts."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from weerbaar.advisories import csafdoc, selectors, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Advisory, Exposure, InventoryItem, Notification
from weerbaar.core.tenancy import NotPermitted

LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core"


def write(
    world,
    *,
    tlp="amber",
    cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    products=None,
    title="Kwetsbaarheid in log4j",
):
    return services.write_advisory(
        actor=world.analyst.user,
        owner=world.cert,
        title=title,
        tlp=tlp,
        summary="Een kwetsbaarheid maakt het mogelijk op afstand code uit te voeren.",
        cve="CVE-2021-44228",
        cvss_vector=cvss,
        kans="high",
        schade="high",
        remediation="Installeer de update.",
        products=products
        or [
            {"vendor": "Apache", "product": "Log4j", "version_range": "vers:maven/>=2.0|<2.15.0", "purl": LOG4J},
            {"vendor": "Microsoft", "product": "Windows 10", "version_range": "vers:generic/<10.0.19045.3803"},
            {"vendor": "Zoom", "product": "Workplace", "version_range": ""},
        ],
    )


def test_written_advisory_is_valid_csaf_with_kans_and_schade(world):
    advisory = write(world)
    doc = json.loads(bytes(advisory.raw))
    csafdoc.check(doc)  # our own validator: schema and mandatory tests
    assert advisory.source == Source.WRITTEN
    assert (advisory.kans, advisory.schade) == ("high", "high")
    assert advisory.tlp == "amber"
    assert advisory.products.count() == 3


def test_amber_strict_written_keeps_its_label(world):
    advisory = write(world, tlp="amber+strict")
    doc = json.loads(bytes(advisory.raw))
    assert doc["document"]["distribution"]["tlp"]["label"] == "AMBER"
    assert advisory.tlp == "amber+strict"


def test_only_a_cert_may_write(world):
    with pytest.raises(NotPermitted):
        services.write_advisory(
            actor=world.officer_a.user,
            owner=world.cert,
            title="x",
            tlp="clear",
            summary="x",
            products=[{"vendor": "a", "product": "b"}],
        )
    assert Advisory.objects.count() == 0


@pytest.mark.parametrize(
    ("tlp", "readers", "non_readers"),
    [
        ("clear", ["analyst", "officer_a", "dpo_a", "officer_b", "outsider_officer", "coordinator"], []),
        ("green", ["analyst", "officer_a", "outsider_officer", "coordinator"], []),
        ("amber", ["analyst", "officer_a", "dpo_a", "officer_b"], ["outsider_officer", "coordinator"]),
        ("amber+strict", ["analyst"], ["officer_a", "officer_b", "outsider_officer", "coordinator"]),
        ("red", ["analyst"], ["officer_a", "officer_b", "outsider_officer", "coordinator"]),
    ],
)
def test_tlp_visibility_per_role(world, tlp, readers, non_readers):
    advisory = write(world, tlp=tlp)
    for name in readers:
        assert Advisory.objects.visible_to(getattr(world, name).user).filter(pk=advisory.pk).exists(), name
    for name in non_readers:
        assert not Advisory.objects.visible_to(getattr(world, name).user).filter(pk=advisory.pk).exists(), name


def test_red_reaches_named_recipients_only(world):
    advisory = write(world, tlp="red")
    advisory.recipients.add(world.officer_a.user)
    assert Advisory.objects.visible_to(world.officer_a.user).filter(pk=advisory.pk).exists()
    assert not Advisory.objects.visible_to(world.dpo_a.user).filter(pk=advisory.pk).exists()
    # A second analyst of the same CERT was not named.
    from tests.factories import member
    from weerbaar.core.permissions import Role

    colleague = member(Role.CERT_ANALYST, world.cert).user
    assert not Advisory.objects.visible_to(colleague).filter(pk=advisory.pk).exists()


def _inventory(world):
    a = world.officer_a.user
    services.add_item(
        actor=a,
        organisation=world.board_a,
        vendor="Apache",
        product="log4j-core",
        version="2.14.1",
        purl=LOG4J + "@2.14.1",
    )
    services.add_item(
        actor=a,
        organisation=world.school_a,
        vendor="Microsoft Corporation",
        product="Windows 10",
        version="10.0.19045.100",
    )
    services.add_item(
        actor=world.officer_b.user,
        organisation=world.board_b,
        vendor="Microsoft",
        product="Microsoft Windows 10",
        version="10.0.19045.3803",
    )
    services.add_item(
        actor=world.officer_b.user, organisation=world.board_b, vendor="Zoom", product="Workplace", version="6.0"
    )
    services.add_item(
        actor=world.outsider_officer.user,
        organisation=world.outsider,
        vendor="Apache",
        product="log4j",
        purl=LOG4J + "@2.14.0",
    )


def test_advisory_arrival_matches_every_inventory_with_tiers(world):
    _inventory(world)
    advisory = write(world)
    found = {(e.organisation.name, e.item.product, e.tier) for e in Exposure.objects.filter(advisory=advisory)}
    assert found == {
        ("Stichting A", "log4j-core", 1),
        ("School A1", "Windows 10", 3),
        ("Stichting B", "Workplace", 4),
        ("Scholengroep VO", "log4j", 1),
    }


def test_inventory_change_recomputes(world):
    advisory = write(world)
    assert not Exposure.objects.filter(advisory=advisory).exists()
    item = services.add_item(
        actor=world.officer_b.user,
        organisation=world.board_b,
        vendor="Microsoft",
        product="Windows 10",
        version="10.0.19045.100",
    )
    assert Exposure.objects.get(advisory=advisory).item == item
    services.update_item(actor=world.officer_b.user, item=item, version="10.0.19045.3803")
    assert not Exposure.objects.filter(advisory=advisory).exists()
    services.update_item(actor=world.officer_b.user, item=item, version="")
    assert Exposure.objects.get(advisory=advisory).tier == 4
    services.remove_item(actor=world.officer_b.user, item=item)
    assert not Exposure.objects.filter(advisory=advisory).exists()


def test_institution_sees_own_exposures_first_and_never_others(world):
    _inventory(world)
    matched = write(world, title="Matched")
    other = write(world, products=[{"vendor": "Nobody", "product": "Nothing"}], title="Other")
    listed = list(selectors.advisory_list(world.officer_a.user))
    assert listed[0] == matched
    assert other in listed
    exposures = selectors.exposures_of(world.officer_a.user, matched)
    assert {e.organisation.name for e in exposures} == {"Stichting A", "School A1"}
    assert {e.organisation.name for e in selectors.exposures_of(world.officer_b.user, matched)} == {"Stichting B"}
    # The CERT reads counts, not names, through this page's selector.
    assert not selectors.exposures_of(world.analyst.user, matched).exists()


def test_csv_import_replaces_inventory_and_refuses_bad_files_whole(world):
    actor, org = world.officer_a.user, world.board_a
    services.add_item(actor=actor, organisation=org, vendor="Old", product="Thing")
    data = "vendor;product;version;cpe;purl\nMicrosoft;Windows 10;10.0.19045.100;;\nApache;;;;" + LOG4J + "@2.14.1\n"
    assert services.import_inventory_csv(actor=actor, organisation=org, data=data.encode()) == 2
    assert set(InventoryItem.objects.filter(organisation=org).values_list("product", flat=True)) == {
        "Windows 10",
        "log4j-core",
    }
    bad = "vendor,product,version,cpe\nA,,1,\nB,C,1,cpe:2.3:a:*:*:*\n"
    with pytest.raises(services.InputRefusedError) as refused:
        services.import_inventory_csv(actor=actor, organisation=org, data=bad.encode())
    assert any("Line 2" in e for e in refused.value.errors)
    assert any("Line 3" in e for e in refused.value.errors)
    assert InventoryItem.objects.filter(organisation=org).count() == 2
    with pytest.raises(services.InputRefusedError):
        services.import_inventory_csv(actor=actor, organisation=org, data=b"x" * (3 * 1024 * 1024))
    with pytest.raises(services.InputRefusedError):
        services.import_inventory_csv(actor=actor, organisation=org, data=b"name,version\nx,1\n")


def test_cyclonedx_import(world):
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {
                "type": "library",
                "group": "org.apache.logging.log4j",
                "name": "log4j-core",
                "version": "2.14.1",
                "purl": LOG4J + "@2.14.1",
                "components": [{"type": "library", "name": "nested", "version": "1", "publisher": "Acme"}],
            },
            {
                "type": "application",
                "name": "Windows 10",
                "version": "10.0.19045.100",
                "supplier": {"name": "Microsoft"},
                "cpe": "cpe:2.3:o:microsoft:windows_10:10.0.19045.100:*:*:*:*:*:*:*",
            },
        ],
    }
    count = services.import_inventory_cyclonedx(
        actor=world.officer_a.user, organisation=world.board_a, data=json.dumps(bom).encode()
    )
    assert count == 3
    item = InventoryItem.objects.get(product="Windows 10")
    assert (item.vendor, item.cpe_key) == ("Microsoft", "microsoft:windows_10")
    with pytest.raises(services.InputRefusedError):
        services.import_inventory_cyclonedx(
            actor=world.officer_a.user, organisation=world.board_a, data=b'{"bomFormat": "SPDX"}'
        )
    assert InventoryItem.objects.filter(organisation=world.board_a).count() == 3


def test_inventory_of_another_organisation_cannot_be_changed(world):
    with pytest.raises(NotPermitted):
        services.add_item(actor=world.officer_b.user, organisation=world.board_a, vendor="x", product="y")
    with pytest.raises(NotPermitted):
        services.add_item(actor=world.analyst.user, organisation=world.board_a, vendor="x", product="y")


def test_answers_and_constituency_counts(world):
    _inventory(world)
    advisory = write(world)
    services.answer(actor=world.officer_a.user, advisory=advisory, organisation=world.board_a, state="mitigating")
    with pytest.raises(services.InputRefusedError):
        services.answer(actor=world.officer_a.user, advisory=advisory, organisation=world.board_a, state="patched")
    with pytest.raises(services.InputRefusedError):
        services.answer(
            actor=world.officer_a.user,
            advisory=advisory,
            organisation=world.board_a,
            state="patched",
            patched_on=timezone.localdate() + timedelta(days=2),
        )
    services.answer(
        actor=world.officer_a.user,
        advisory=advisory,
        organisation=world.board_a,
        state="patched",
        patched_on=timezone.localdate(),
    )
    services.answer(actor=world.officer_b.user, advisory=advisory, organisation=world.board_b, state="not_affected")
    with pytest.raises(NotPermitted):
        services.answer(
            actor=world.officer_b.user,
            advisory=advisory,
            organisation=world.board_a,
            state="patched",
            patched_on=timezone.localdate(),
        )
    counts = selectors.constituency_exposure(world.analyst.user, advisory)
    # The VO board is outside this CERT's constituency.
    assert (counts.affected, counts.possibly, counts.answered, counts.patched, counts.not_affected) == (2, 1, 2, 1, 1)
    assert counts.timeline[-1][1:] == (3, 2, 1)
    assert selectors.constituency_exposure(world.officer_a.user, advisory) is None


def test_outsider_cannot_answer_amber_advisory(world):
    advisory = write(world)
    with pytest.raises(NotPermitted):
        services.answer(
            actor=world.outsider_officer.user, advisory=advisory, organisation=world.outsider, state="not_affected"
        )


def test_high_risk_match_notifies_ibp_officers_once(world):
    _inventory(world)
    advisory = write(world)
    notified = set(Notification.objects.values_list("user__email", "organisation__name"))
    # Board A's officer for its log4j (tier 1) and the school's Windows (tier 3, via the board's
    # officer only if the school has one: it has none); board B only "possibly": no message; the
    # VO board cannot read this AMBER advisory: no message.
    assert notified == {(world.officer_a.user.email, "Stichting A")}
    assert len(mail.outbox) == 1
    assert str(advisory.public_id) in mail.outbox[0].body
    assert "log4j" not in mail.outbox[0].body.lower()
    services.match_advisory(advisory)
    services.add_item(
        actor=world.officer_a.user, organisation=world.board_a, vendor="Apache", product="x", purl=LOG4J + "@2.0"
    )
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_low_score_does_not_notify(world):
    _inventory(world)
    write(world, cvss="CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N")
    assert not Notification.objects.exists()


def test_catalogue_suggests_public_products_and_common_ones_only(world):
    write(world, tlp="clear", products=[{"vendor": "Somtoday", "product": "Somtoday", "version_range": ""}])
    write(world, tlp="amber", products=[{"vendor": "Secret", "product": "Secretware", "version_range": ""}])
    services.add_item(actor=world.officer_b.user, organisation=world.board_b, vendor="Rare", product="Rareware")
    assert ("Somtoday", "Somtoday") in selectors.catalogue(world.officer_a.user, "som")
    assert selectors.catalogue(world.officer_a.user, "secret") == []
    assert selectors.catalogue(world.officer_a.user, "rare") == []
