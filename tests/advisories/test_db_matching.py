"""Matching in the database: the versions' sort keys order as the Python comparison does, and
matching an advisory on them gives exactly the exposures the Python matcher gives, including
versions and ranges that have no sort key and exposures that change or go away."""

import itertools
import random

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.advisories import test_matching
from tests.advisories.test_services import write
from weerbaar.advisories import matching, services
from weerbaar.advisories.models import AdvisoryProduct, Exposure, InventoryItem

# The pairs of the Python comparison's own test, and more edge cases.
_ORDER_CASES = test_matching.test_version_order.pytestmark[0].args[1]
EDGE_VERSIONS = sorted(
    {a for a, _b, _e in _ORDER_CASES}
    | {b for _a, b, _e in _ORDER_CASES}
    | {
        "1",
        "1.0",
        "1.0.0.0.0",
        "0",
        "0.0.1",
        "1.0a",
        "1.0a1",
        "1.0-preview",
        "1.0-snapshot",
        "1.0.0-rc.1",
        "1.0.0-rc.10",
        "1.0.0-rc.2",
        "2.8.123",
        "2.8.123z",
        "2.8.123zz",
        "V3.1",
        "3.1-final",
        "3.1.post1",
        "2024.1",
        "10.0.26100.1",
        "16.0.17328.20162",
        "...",
        "x",
        "9999999999",
    }
)


def _random_version(rng: random.Random) -> str:
    parts = [str(rng.choice([0, 1, 2, 9, 10, 19045, rng.randint(0, 40000)])) for _ in range(rng.randint(1, 4))]
    text = ".".join(parts)
    if rng.random() < 0.2:
        text += rng.choice(["-rc1", "-alpha", "b2", "-dev", "e", "-beta.3", "+build5", ".post2", "-lts"])
    if rng.random() < 0.05:
        text = "v" + text
    return text


def _sign(a, b) -> int:
    return (a > b) - (a < b)


def test_sort_key_orders_as_the_python_comparison():
    rng = random.Random(6)
    versions = EDGE_VERSIONS + [_random_version(rng) for _ in range(400)]
    for a, b in itertools.product(versions, repeat=2):
        ka, kb = matching.sort_key(a), matching.sort_key(b)
        assert ka, a
        assert kb, b
        assert _sign(ka, kb) == matching.compare(a, b), (a, b, ka, kb)


def test_sort_key_absent_where_it_cannot_keep_the_order():
    assert matching.sort_key("") == ""
    assert matching.sort_key("  ") == ""
    assert matching.sort_key("1.12345678901") is None  # a number wider than the padding
    assert matching.sort_key("1.0-averyveryverylongword") is None
    assert matching.parse_range("vers:generic/<1.12345678901").sort_bounds is None
    assert matching.parse_range("vers:generic/>=1.0|<2.0").sort_bounds == (
        (),
        (),
        (((True, matching.sort_key("1.0")), (False, matching.sort_key("2.0"))),),
    )


def test_range_bounds_as_keys_agree_with_contains():
    rng = random.Random(7)
    versions = EDGE_VERSIONS + [_random_version(rng) for _ in range(300)]
    specs = [
        "vers:generic/>=2.4.0|<2.4.58",
        "vers:pypi/>=4.2|<4.2.8|>=5.0|<5.0.1|!=4.2.3",
        "vers:npm/1.2.3|>=2.0.0|<2.1.0",
        "vers:generic/>10.0.19045.100|<=10.0.19045.3803",
        "vers:generic/>=1.0.0-rc1|<1.0.0",
        "<= 4.2",
        ">=1.0 <2.0",
        "1.5",
        "vers:generic/>=3.0",
    ]
    for spec in specs:
        versions_range = matching.parse_range(spec)
        excluded, exact_keys, intervals = versions_range.sort_bounds
        for version in versions:
            key = matching.sort_key(version)
            inside = key not in excluded and (
                key in exact_keys
                or any(
                    (lower is None or (key >= lower[1] if lower[0] else key > lower[1]))
                    and (upper is None or (key <= upper[1] if upper[0] else key < upper[1]))
                    for lower, upper in intervals
                )
            )
            assert inside == versions_range.contains(version), (spec, version)


PRODUCTS = [
    {"vendor": "Apache", "product": "HTTP Server", "version_range": "vers:generic/>=2.4.0|<2.4.58"},
    # The same product twice with other ranges: the first in the advisory's order wins a tie.
    {"vendor": "Apache", "product": "HTTP Server", "version_range": "vers:generic/>=2.4.50|<2.5"},
    {
        "vendor": "Django",
        "product": "Django",
        "version_range": "vers:pypi/>=4.2|<4.2.8|>=5.0|<5.0.1|!=4.2.3",
        "purl": "pkg:pypi/django/django",
    },
    {"vendor": "Npm", "product": "Left Pad", "version_range": "vers:npm/1.2.3|>=2.0.0|<2.1.0"},
    {
        "vendor": "Microsoft",
        "product": "Windows 10",
        "version_range": "vers:generic/<10.0.19045.3803",
        "cpe": "cpe:2.3:o:microsoft:windows_10:*:*:*:*:*:*:*:*",
    },
    {"vendor": "Zoom", "product": "Workplace", "version_range": ""},
    {"vendor": "Acme", "product": "Tool", "version_range": "<= 4.2"},
    {"vendor": "Acme", "product": "Exact", "version_range": "1.5"},
]

INVENTORY_VERSIONS = [
    "",
    "2.4.0",
    "2.4.57",
    "2.4.58",
    "2.4.9",
    "2.5",
    "4.2.1",
    "4.2.3",
    "5.0",
    "5.0.1",
    "1.2.3",
    "2.0.5",
    "2.1.0",
    "10.0.19045.100",
    "10.0.19045.3803",
    "10.0.22000.1",
    "4.2",
    "1.5.0",
    "1.5.1",
    "6.0",
    "1.0.123456789012",  # no sort key: compared in Python
    "4.1-averyveryverylongword",  # no sort key either
]


def _inventory(world):
    rows = []
    owners = [world.board_a, world.school_a, world.board_b, world.outsider]
    for n, (product, version) in enumerate(itertools.product(PRODUCTS, INVENTORY_VERSIONS)):
        purl = f"{product['purl']}@{version}" if product.get("purl") and n % 5 else ""
        cpe = f"cpe:2.3:o:microsoft:windows_10:{version or '*'}" if product.get("cpe") and n % 5 else ""
        fields, errors = services._clean_item(product["vendor"], product["product"], version, cpe, purl)
        assert not errors
        if n % 7 == 0:
            fields["version_sort"] = None  # as a row written without the key: compared in Python
        rows.append(InventoryItem(organisation=owners[n % len(owners)], **fields))
    InventoryItem.objects.bulk_create(rows)


def _exposures(advisory) -> set[tuple]:
    rows = Exposure.objects.filter(advisory=advisory).values_list("organisation_id", "item_id", "product_id", "tier")
    return set(rows)


def _python_exposures(advisory) -> set[tuple]:
    Exposure.objects.filter(advisory=advisory).delete()
    services.match_advisory_in_python(advisory)
    return _exposures(advisory)


@pytest.mark.django_db
def test_database_matching_gives_the_python_exposures(world):
    _inventory(world)
    advisory = write(world, products=PRODUCTS)  # matched on arrival, in the database
    Exposure.objects.filter(advisory=advisory).delete()
    assert services.match_advisory(advisory) == Exposure.objects.filter(advisory=advisory).count()
    in_database = _exposures(advisory)
    tiers = {tier for *_rest, tier in in_database}
    assert tiers == {1, 2, 3, 4}  # every tier is exercised
    assert len(in_database) > 40
    expected = _python_exposures(advisory)
    assert in_database == expected

    # Again over stale exposures: wrong tiers are put right, exposures that no longer match go,
    # the ones that stay keep the moment they were first found.
    first = Exposure.objects.filter(advisory=advisory).order_by("pk").first()
    found_at = first.found_at
    Exposure.objects.filter(pk=first.pk).update(found_at=found_at)
    changed = Exposure.objects.filter(advisory=advisory).exclude(pk=first.pk).order_by("pk")[:5]
    Exposure.objects.filter(pk__in=[e.pk for e in changed]).update(tier=4)
    stray = InventoryItem.objects.exclude(exposures__advisory=advisory).first()
    Exposure.objects.create(
        advisory=advisory,
        organisation_id=stray.organisation_id,
        item=stray,
        product=advisory.products.first(),
        tier=1,
        found_at=found_at,
    )
    services.match_advisory(advisory)
    assert _exposures(advisory) == expected
    assert Exposure.objects.get(advisory=advisory, item_id=first.item_id).found_at == found_at


@pytest.mark.django_db
def test_range_without_sort_key_is_matched_in_python(world):
    _inventory(world)
    products = [{"vendor": "Acme", "product": "Tool", "version_range": "vers:generic/>=1.0|<1.0.123456789013"}]
    advisory = write(world, products=products)
    in_database = _exposures(advisory)
    assert {item for _o, item, _p, _t in in_database} >= set(
        InventoryItem.objects.filter(product="Tool", version="1.0.123456789012").values_list("pk", flat=True)
    )
    assert in_database == _python_exposures(advisory)


@pytest.mark.django_db
def test_rematch_writes_nothing_new(world):
    _inventory(world)
    advisory = write(world, products=PRODUCTS)
    before = set(
        Exposure.objects.filter(advisory=advisory).values_list("pk", "item_id", "product_id", "tier", "found_at")
    )
    with CaptureQueriesContext(connection) as queries:
        assert services.match_advisory(advisory) == len(before)
    after = set(
        Exposure.objects.filter(advisory=advisory).values_list("pk", "item_id", "product_id", "tier", "found_at")
    )
    assert after == before
    assert not any("advisories_notification" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_exposure_goes_when_its_item_no_longer_matches_and_others_stay(world):
    _inventory(world)
    advisory = write(world, products=PRODUCTS)
    exposures = Exposure.objects.filter(advisory=advisory, tier__lt=4).select_related("item").order_by("pk")
    moved, kept = exposures[0], exposures[1]
    InventoryItem.objects.filter(pk=moved.item_id).update(version="99.0", version_sort=matching.sort_key("99.0"))
    services.match_advisory(advisory)
    assert not Exposure.objects.filter(pk=moved.pk).exists()
    assert Exposure.objects.get(pk=kept.pk).found_at == kept.found_at


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL protection")


@pytest.mark.django_db
def test_candidates_are_found_without_jit_compilation(world):
    _postgresql_only()
    _inventory(world)
    advisory = write(world, products=PRODUCTS)
    with CaptureQueriesContext(connection) as queries:
        services.match_advisory(advisory)
    statements = [q["sql"] for q in queries.captured_queries]
    candidates = next(n for n, sql in enumerate(statements) if "ROW_NUMBER()" in sql)
    assert "SET LOCAL jit = off" in statements[:candidates]


@pytest.mark.django_db
def test_postgresql_keeps_exposures_whole_without_foreign_keys(world):
    """Exposures carry no foreign-key constraints; on PostgreSQL triggers refuse what those would
    have refused (a missing item or product) and more (an organisation or advisory that is not
    the item's or product's), while Django's cascades still remove exposures with their rows."""
    _postgresql_only()
    _inventory(world)
    advisory = write(world, products=PRODUCTS)
    other = write(world, products=PRODUCTS[:1], title="Een ander advies")
    exposure = Exposure.objects.filter(advisory=advisory).select_related("item").first()
    item = exposure.item
    elsewhere = world.outsider if item.organisation_id != world.outsider.pk else world.board_a
    stray = InventoryItem.objects.exclude(exposures__advisory=other).exclude(organisation=elsewhere).first()
    refused = [
        lambda: Exposure.objects.filter(pk=exposure.pk).update(organisation=elsewhere),
        lambda: Exposure.objects.filter(pk=exposure.pk).update(advisory=other),
        lambda: Exposure.objects.filter(pk=exposure.pk).update(item_id=InventoryItem.objects.order_by("-pk")[0].pk + 1),
        lambda: Exposure.objects.create(
            advisory=other,
            organisation=elsewhere,
            item=stray,
            product=other.products.first(),
            tier=1,
            found_at=exposure.found_at,
        ),
        lambda: Exposure.objects.create(
            advisory=other,
            organisation_id=stray.organisation_id,
            item=stray,
            product=advisory.products.first(),
            tier=1,
            found_at=exposure.found_at,
        ),
        # Removing or moving what exposures name, past Django's cascades.
        lambda: InventoryItem.objects.filter(pk=item.pk)._raw_delete("default"),
        lambda: AdvisoryProduct.objects.filter(pk=exposure.product_id)._raw_delete("default"),
        lambda: InventoryItem.objects.filter(pk=item.pk).update(organisation=elsewhere),
        lambda: AdvisoryProduct.objects.filter(pk=exposure.product_id).update(advisory=other),
    ]
    for attempt in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    # What agrees is written, and what no exposure names may go or move.
    Exposure.objects.create(
        advisory=other,
        organisation_id=stray.organisation_id,
        item=stray,
        product=other.products.first(),
        tier=1,
        found_at=exposure.found_at,
    )
    Exposure.objects.filter(pk=exposure.pk).update(tier=4)
    unexposed = InventoryItem.objects.filter(exposures__isnull=True).first()
    InventoryItem.objects.filter(pk=unexposed.pk).update(organisation=elsewhere)
    InventoryItem.objects.filter(pk=unexposed.pk)._raw_delete("default")
    # Django's cascades remove the exposures first.
    InventoryItem.objects.get(pk=stray.pk).delete()
    assert not Exposure.objects.filter(item_id=stray.pk).exists()
    other.delete()
    assert not Exposure.objects.filter(advisory_id=other.pk).exists()


@pytest.mark.django_db
def test_exposure_copies_are_those_of_item_and_product(world):
    """The organisation and advisory an exposure repeats are its item's and its product's, however
    it was matched (in the database, in Python, or after an inventory change)."""
    _inventory(world)
    advisory = write(world, products=PRODUCTS)
    python_matched = write(
        world,
        products=[{"vendor": "Acme", "product": "Tool", "version_range": "vers:generic/>=1.0|<1.0.123456789013"}],
        title="Een advies met een bereik zonder sorteersleutel",
    )
    services.add_item(
        actor=world.officer_a.user, organisation=world.board_a, vendor="Apache", product="HTTP Server", version="2.4.1"
    )
    services.match_organisation(world.board_a)
    rows = Exposure.objects.filter(advisory__in=[advisory, python_matched]).values_list(
        "organisation_id", "item__organisation_id", "advisory_id", "product__advisory_id"
    )
    assert len(rows) > 40
    assert all(org == item_org and adv == product_adv for org, item_org, adv, product_adv in rows)
