"""The pure matcher: version order (four-part builds, pre-releases, suffixes), `vers` ranges,
product keys and the confidence tiers."""

import pytest

from weerbaar.advisories.matching import (
    ANY,
    AffectedProduct,
    Item,
    Tier,
    compare,
    match,
    name_key,
    normalise,
    parse_cpe,
    parse_purl,
    parse_range,
)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("10.0.19045.3803", "10.0.19045.100", 1),  # Windows builds: the fourth part counts
        ("10.0.19045.100", "10.0.19045.3803", -1),
        ("10.0.22631.2861", "10.0.19045.3803", 1),
        ("10.0", "10.0.0", 0),
        ("10.0.0.0", "10", 0),
        ("2.8.123e", "2.8.75", 1),
        ("1.0.0-rc1", "1.0.0", -1),
        ("1.0.0-alpha", "1.0.0-beta", -1),
        ("1.0.0-dev1", "1.0.0-alpha", -1),
        ("1.0.0", "1.0.0+build7", 0),
        ("v2.4.1", "2.4.1", 0),
        ("2.4.10", "2.4.9", 1),
        ("7.2.5", "7.10", -1),
        ("16.0.17328.20162", "16.0.17231.20236", 1),
    ],
)
def test_version_order(a, b, expected):
    assert compare(a, b) == expected


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("vers:generic/>=2.4.0|<2.4.58", ["2.4.0", "2.4.57", "2.4.9"], ["2.3.99", "2.4.58", "2.5"]),
        ("vers:generic/<10.0.19045.3803", ["10.0.19045.100", "10.0.19044.9999"], ["10.0.19045.3803", "10.0.22000.1"]),
        ("vers:npm/1.2.3|>=2.0.0|<2.1.0", ["1.2.3", "2.0.5"], ["1.2.4", "2.1.0"]),
        ("vers:pypi/>=4.2|<4.2.8|>=5.0|<5.0.1|!=4.2.3", ["4.2.1", "5.0"], ["4.2.3", "4.2.8", "4.9", "5.0.1"]),
        ("vers:generic/>=3.0", ["3.0", "99"], ["2.9"]),
        ("<= 4.2", ["4.2", "1.0"], ["4.2.1"]),
        (">=1.0 <2.0", ["1.0", "1.9.9"], ["2.0", "0.9"]),
        ("1.5", ["1.5", "1.5.0"], ["1.5.1"]),
    ],
)
def test_ranges(spec, inside, outside):
    versions = parse_range(spec)
    assert versions.stated
    for version in inside:
        assert versions.contains(version), (spec, version)
    for version in outside:
        assert not versions.contains(version), (spec, version)


@pytest.mark.parametrize("spec", ["vers:unknown/*", "vers:generic/*", "*", "all", "", "vers:", "whatever text"])
def test_ranges_without_usable_version_are_not_stated(spec):
    assert not parse_range(spec).stated


def test_keys():
    assert normalise("Microsoft Corporation") == "microsoft"
    assert name_key("Microsoft", "Microsoft Windows 11") == name_key("Microsoft Corp.", "Windows 11")
    assert name_key("", "") == ""
    assert parse_cpe("cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*") == ("apache:http_server", "2.4.57")
    assert parse_cpe("cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-rc1") == (
        "csaf-tools:cvrf-csaf-converter",
        "1.0.0-rc1",
    )
    # A wildcard vendor or product would match everything: no key.
    assert parse_cpe("cpe:2.3:h:intel:*:*:*:*:*:*:*:*:*") == ("", "")
    assert parse_cpe("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*") == ("apache:http_server", "")
    assert parse_purl("pkg:pypi/Django@4.2.1?x=1#sub") == ("pypi/django", "4.2.1")
    assert parse_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1") == (
        "maven/org.apache.logging.log4j/log4j-core",
        "2.14.1",
    )
    assert parse_purl("not a purl") == ("", "")


def _product(ref, versions="vers:generic/>=2.0|<2.15", **keys):
    return AffectedProduct(ref=ref, versions=parse_range(versions) if versions is not None else ANY, **keys)


def test_tiers():
    log4j = "maven/org.apache.logging.log4j/log4j-core"
    products = [
        _product("purl", purl_key=log4j, name_key="apache|log4j"),
        _product("cpe", cpe_key="apache:log4j"),
        _product("win", versions="vers:generic/<10.0.19045.3803", name_key="microsoft|windows 10"),
        _product("ncsc", versions="vers:unknown/*", name_key="zoom|zoom workplace"),
    ]
    items = [
        Item(ref=1, purl_key=log4j, version="2.14.1"),
        Item(ref=2, cpe_key="apache:log4j", version="2.14.1"),
        Item(ref=3, purl_key=log4j, version="2.17.1"),  # fixed version: no match
        Item(ref=4, purl_key=log4j, version=""),  # version not recorded
        Item(ref=5, name_key="microsoft|windows 10", version="10.0.19045.100"),
        Item(ref=6, name_key="microsoft|windows 10", version="10.0.19045.3803"),  # patched
        Item(ref=7, name_key="zoom|zoom workplace", version="6.0.2"),  # advisory states no version
        Item(ref=8, name_key="apache|log4j", purl_key=log4j, version="2.14.1"),  # PURL wins over name
        Item(ref=9, name_key="other|thing", version="1"),
    ]
    found = {m.item: (m.tier, m.product) for m in match(products, items)}
    assert found == {
        1: (Tier.PURL, "purl"),
        2: (Tier.CPE, "cpe"),
        4: (Tier.VERSION_NOT_STATED, "purl"),
        5: (Tier.NAME, "win"),
        7: (Tier.VERSION_NOT_STATED, "ncsc"),
        8: (Tier.PURL, "purl"),
    }


def test_name_match_still_applies_when_purl_range_excludes():
    """A stronger key that rules the version out does not hide a weaker key that matches: two
    products of one advisory can describe different lines of the same software."""
    products = [
        _product("old-line", versions="vers:generic/<1.0", purl_key="npm/x"),
        _product("by-name", versions="vers:generic/<3.0", name_key="acme|x"),
    ]
    found = match(products, [Item(ref=1, purl_key="npm/x", name_key="acme|x", version="2.0")])
    assert [(m.product, m.tier) for m in found] == [("by-name", Tier.NAME)]
