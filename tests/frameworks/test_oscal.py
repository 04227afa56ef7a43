"""OSCAL 1.1 catalogs: NIST's real catalogs import with the right controls, our export is valid
OSCAL and imports back to the same catalogue, and invalid documents are refused precisely."""

import copy
import json
from datetime import UTC, datetime

import pytest

from tests.frameworks.conftest import NIST_BASIC, NIST_LOW, data, oscal_fixture
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks import oscal
from weerbaar.frameworks.catalogue_format import CatalogueError


def count_controls(node) -> int:
    """Controls and enhancements in a raw OSCAL catalog, counted independently of the importer."""
    total = 0
    for control in node.get("controls", []):
        total += 1 + count_controls(control)
    for group in node.get("groups", []):
        total += count_controls(group)
    return total


def problems(raw: bytes) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        oscal.read_oscal(raw)
    return [str(p) for p in caught.value.problems]


@pytest.fixture(scope="module")
def nist_low() -> bytes:
    return oscal_fixture(NIST_LOW)


def test_nist_800_53_low_baseline_imports_every_control_and_enhancement(nist_low):
    raw = json.loads(nist_low)
    catalogue = oscal.read_oscal(nist_low, code="NIST-800-53-LOW")

    assert count_controls(raw["catalog"]) == 149
    assert catalogue.norm_count == 149
    assert len(catalogue.domains) == 18
    assert catalogue.domains[0].code == "ac"
    assert catalogue.domains[0].title.nl == "Access Control"
    assert catalogue.framework.code == "NIST-800-53-LOW"
    assert catalogue.version.label == "5.1.1+u4"
    assert catalogue.version.scored is False
    codes = [norm.code for _, norm in catalogue.norms()]
    # An enhancement follows its control, under its own id.
    assert codes[codes.index("ia-2") + 1] == "ia-2.1"
    assert len(set(codes)) == 149


def test_nist_statement_is_written_out_with_items_and_parameters(nist_low):
    catalogue = oscal.read_oscal(nist_low, code="NIST-800-53-LOW")
    ac2 = next(norm for _, norm in catalogue.norms() if norm.code == "ac-2")

    assert ac2.title.nl == "Account Management"
    lines = ac2.statement.nl.splitlines()
    assert (
        lines[0] == "a. Define and document the types of accounts allowed and specifically prohibited "
        "for use within the system;"
    )
    assert "c. Require [Assignment: prerequisites and criteria] for group and role membership;" in lines
    assert "  1. Authorized users of the system;" in lines  # a sub-item, indented
    assert "{{" not in ac2.statement.nl
    assert ac2.rationale.nl.startswith("Examples of system account types include")


def test_a_selection_parameter_is_shown_with_its_choices():
    basic = oscal.read_oscal(oscal_fixture(NIST_BASIC))
    first = basic.domains[0].norms[0]

    assert "[Selection (one or more): " in first.statement.nl


def test_nist_basic_catalog_with_nested_groups_imports():
    catalogue = oscal.read_oscal(oscal_fixture(NIST_BASIC))

    assert catalogue.norm_count == count_controls(json.loads(oscal_fixture(NIST_BASIC))["catalog"]) == 4
    assert [d.code for d in catalogue.domains] == ["s1.1", "s2.1"]
    assert (
        catalogue.domains[0].title.nl
        == f"Organization of Information Security{oscal.GROUP_TITLE_SEPARATOR}Internal Organization"
    )
    # Without a code of ours, one is made from the catalog's title.
    assert catalogue.framework.code == "SAMPLE-SECURITY-CATALOG-FOR"


def test_our_export_is_valid_oscal_and_imports_to_the_same_catalogue():
    catalogue = cf.read_yaml(data("mini.yaml"))
    document = oscal.write_oscal(catalogue, last_modified=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))

    assert oscal.schema_problems(document) == []
    assert document["catalog"]["metadata"]["oscal-version"] == "1.1.2"
    assert oscal.read_oscal(json.dumps(document).encode()) == catalogue


def test_export_of_an_imported_nist_catalog_round_trips(nist_low):
    catalogue = oscal.read_oscal(nist_low, code="NIST-800-53-LOW")
    exported = oscal.dump_oscal(catalogue)

    assert oscal.schema_problems(json.loads(exported)) == []
    assert oscal.read_oscal(exported.encode()) == catalogue


def test_codes_that_are_not_oscal_tokens_survive_the_round_trip():
    reference = cf.read_yaml(data("reference-list.yaml"))  # codes like "5.1" start with a digit
    document = oscal.write_oscal(reference)

    assert oscal.schema_problems(document) == []
    assert document["catalog"]["groups"][0]["controls"][0]["id"] == "_5.1"
    assert oscal.read_oscal(json.dumps(document).encode()) == reference


def test_document_not_matching_the_schema_is_refused_with_the_path():
    document = json.loads(oscal_fixture(NIST_BASIC))
    broken = copy.deepcopy(document)
    del broken["catalog"]["metadata"]["title"]
    broken["catalog"]["groups"][0]["groups"][0]["controls"][0]["id"] = "1 bad id"

    found = problems(json.dumps(broken).encode())

    assert "catalog.metadata: Does not match the OSCAL catalog schema: 'title' is a required property" in found
    assert any(
        p.startswith("catalog.groups[0].groups[0].controls[0].id: Does not match the OSCAL catalog schema")
        for p in found
    )


def test_other_oscal_models_and_unknown_fields_are_refused():
    profile = {"profile": {"uuid": "7f9e4f8e-7d4c-4c1f-9d9c-1f2e3d4c5b6a", "metadata": {}, "imports": []}}
    document = json.loads(oscal_fixture(NIST_BASIC))
    document["catalog"]["surprise"] = True

    assert problems(json.dumps(profile).encode())[0].startswith("(document): Does not match the OSCAL catalog schema")
    assert problems(json.dumps(document).encode()) == [
        "catalog: Does not match the OSCAL catalog schema: "
        "Additional properties are not allowed ('surprise' was unexpected)"
    ]


def test_malformed_json_names_line_and_column():
    assert problems(b'{\n  "catalog": {\n    "uuid": ,\n  }\n}') == [
        "line 3, column 13: Not valid JSON: Expecting value"
    ]


def test_duplicate_json_keys_and_deep_nesting_are_refused():
    assert problems(b'{"catalog": {}, "catalog": {}}') == ["The key “catalog” occurs twice in the same object."]
    assert problems(b"[" * 100_000 + b"]" * 100_000) == ["The file is nested too deeply."]


def test_groups_nested_hundreds_deep_are_refused():
    depth = 600
    groups = "".join(f'{{"id": "g{n}", "title": "Groep", "groups": [' for n in range(depth))
    groups += '{"id": "leaf", "title": "Blad"}' + "]}" * depth
    metadata = json.dumps(json.loads(oscal_fixture(NIST_BASIC))["catalog"]["metadata"])
    uuid = "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"
    text = f'{{"catalog": {{"uuid": "{uuid}", "metadata": {metadata}, "groups": [{groups}]}}}}'

    assert problems(text.encode()) == ["The file is nested too deeply."]


def test_catalog_rules_apply_after_the_schema():
    document = oscal.write_oscal(cf.read_yaml(data("mini.yaml")))
    controls = document["catalog"]["groups"][0]["controls"]
    controls[1]["props"][1]["value"] = "GO.01"  # two norms with one code

    found = problems(json.dumps(document).encode())

    assert found == [
        "control GO.02 (domains[0].norms[1].code): The norm code “GO.01” occurs twice "
        "(also at control GO.01 (domains[0].norms[0].code))."
    ]
