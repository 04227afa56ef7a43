"""Reading and writing our YAML and CSV catalogue files: round trips, and every kind of broken
or hostile file answered with a precise problem (where and what)."""

from datetime import date

import pytest

from tests.frameworks.conftest import data
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks.catalogue_format import CatalogueError, MappingSet, Text

MINI = data("mini.yaml").decode()


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `fragment`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def problems(reader, text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(CatalogueError) as caught:
        reader(raw)
    return [str(problem) for problem in caught.value.problems]


def broken(old: str, new: str) -> str:
    assert old in MINI, old
    return MINI.replace(old, new, 1)


# --- reading what is right -------------------------------------------------------------------


def test_yaml_file_reads_into_the_catalogue_it_describes():
    catalogue = cf.read_yaml(data("mini.yaml"))

    assert catalogue.framework.code == "TEST-KADER"
    assert catalogue.framework.sectors == ("PO", "VO")
    assert catalogue.framework.description.nl == "Een klein kader om de import te oefenen.\nTwee regels tekst."
    assert catalogue.version.label == "2024"
    assert catalogue.version.released == date(2024, 6, 6)
    assert [d.code for d in catalogue.domains] == ["GO", "PR"]
    assert catalogue.norm_count == 3
    go01 = catalogue.domains[0].norms[0]
    assert go01.id_confirmed is True
    assert go01.levels[2] == Text("Het beleid is vastgesteld.", "The policy is adopted.")
    assert go01.target_measures[1] == Text("Publiceer het beleid op het intranet.")
    assert go01.references == ("AVG art. 32", "ISO/IEC 27002:2022 5.1")
    assert catalogue.domains[0].norms[1].id_confirmed is False  # omitted means unconfirmed


def test_yaml_export_then_import_gives_the_same_catalogue():
    catalogue = cf.read_yaml(data("mini.yaml"))
    text = cf.dump_yaml(catalogue)

    assert cf.read_yaml(text.encode()) == catalogue
    # Codes that look like numbers stay strings in the written file.
    reference = cf.read_yaml(data("reference-list.yaml"))
    assert cf.read_yaml(cf.dump_yaml(reference).encode()) == reference


def test_csv_export_then_import_gives_the_same_catalogue():
    catalogue = cf.read_yaml(data("mini.yaml"))
    assert cf.read_csv(cf.dump_csv(catalogue).encode()) == catalogue


def test_csv_round_trip_keeps_an_empty_domain_and_unscored_lists():
    reference = cf.read_yaml(data("reference-list.yaml"))
    empty = cf.DomainData(code="6", title=Text("Mensen"), part="other")
    catalogue = cf.Catalogue(reference.framework, reference.version, (*reference.domains, empty))

    assert cf.read_csv(cf.dump_csv(catalogue).encode()) == catalogue


def test_spreadsheet_csv_with_semicolons_and_dutch_yes_reads():
    catalogue = cf.read_csv(data("mini.csv"))

    assert catalogue.framework.code == "CSV-KADER"
    assert catalogue.version.scored is True
    assert [n.code for _, n in catalogue.norms()] == ["BV.01", "BV.02"]
    first = catalogue.domains[0].norms[0]
    assert first.target_measures == (
        Text("Stel een minimumlengte in."),
        Text("Gebruik een wachtwoordkluis."),
    )
    assert first.references == ("BIO 9.4.3",)
    assert first.levels[4].nl == "Eisen verbeterd."


def test_mapping_file_reads():
    mappings = cf.read_yaml(data("mappings.yaml"))

    assert isinstance(mappings, MappingSet)
    assert (mappings.source_framework, mappings.source_version) == ("TEST-KADER", "2024")
    assert next((p.source, p.target, p.relation) for p in mappings.pairs) == (
        "GO.01",
        "5.1",
        "equivalent",
    )
    assert cf.read_yaml(cf.dump_mappings_yaml(mappings).encode()) == mappings


# --- broken files ----------------------------------------------------------------------------


def test_missing_required_field_is_named_with_its_line():
    text = broken('        title: {nl: "Rollen belegd"}\n', "")

    found = problems(cf.read_yaml, text)

    assert found == [f"line {line_of(text, 'code: GO.02')} (domains[0].norms[1].title): The field “title” is required."]


def test_wrong_number_of_levels_is_refused():
    text = broken('          5: {nl: "Formeel, getoetst en verbeterd."}\n', "")

    found = problems(cf.read_yaml, text)

    assert found == [
        f"line {line_of(text, 'levels:', 2)} (domains[0].norms[1].levels): "
        "A scored norm needs exactly five levels, 1 to 5; missing: 5."
    ]


def test_a_sixth_level_is_refused():
    text = broken(
        '          5: {nl: "Formeel, getoetst en verbeterd."}\n',
        '          5: {nl: "Formeel, getoetst en verbeterd."}\n          6: {nl: "Nog beter."}\n',
    )

    found = problems(cf.read_yaml, text)

    assert found == [
        f"line {line_of(text, '6: {nl')} (domains[0].norms[1].levels.6): “6” is not a level; levels are 1 to 5."
    ]


def test_duplicate_norm_code_names_both_places():
    text = broken("      - code: GO.02\n", "      - code: GO.01\n")

    found = problems(cf.read_yaml, text)

    first, second = line_of(text, "code: GO.01"), line_of(text, "code: GO.01", 2)
    assert found == [
        f"line {second} (domains[0].norms[1].code): The norm code “GO.01” occurs twice "
        f"(also at line {first} (domains[0].norms[0].code))."
    ]


def test_duplicate_domain_code_is_refused():
    text = broken("  - code: PR\n", "  - code: GO\n")

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'code: GO', 4)} (domains[1].code): The domain code “GO” occurs twice."
    ]


def test_misspelt_field_is_refused_rather_than_ignored():
    text = broken(
        '        rationale: {nl: "Iemand moet het doen."}',
        '        rationael: {nl: "Iemand moet het doen."}',
    )

    found = problems(cf.read_yaml, text)

    assert found[0].startswith(
        f"line {line_of(text, 'rationael')} (domains[0].norms[1].rationael): Unknown field “rationael”"
    )
    assert (
        found[1] == f"line {line_of(text, 'code: GO.02')} (domains[0].norms[1].rationale): "
        "The field “rationale” is required."
    )


def test_code_written_as_a_number_must_be_quoted():
    text = data("reference-list.yaml").decode().replace('code: "5.1"', "code: 5.10")

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'code: 5.10')} (domains[0].norms[0].code): "
        "Put the code in quotes (“5.1” reads as a number)."
    ]


def test_missing_dutch_text_is_refused():
    text = broken('title: {nl: "Register bijgehouden", en: "Register kept"}', 'title: {en: "Register kept"}')

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'Register kept')} (domains[1].norms[0].title.nl): The Dutch text (nl) is required."
    ]


def test_unscored_list_with_levels_and_unknown_sector_are_refused():
    text = (
        data("reference-list.yaml")
        .decode()
        .replace(
            '        title: {nl: "Rollen", en: "Roles"}\n',
            '        title: {nl: "Rollen", en: "Roles"}\n        levels: {1: {nl: "x"}}\n',
        )
        .replace(
            '  name: {nl: "Referentielijst", en: "Reference list"}\n',
            '  name: {nl: "Referentielijst", en: "Reference list"}\n  sectors: [PO, KINDEROPVANG]\n',
        )
    )

    found = problems(cf.read_yaml, text)

    assert any("(framework.sectors[1]): Unknown sector “KINDEROPVANG”" in p for p in found)
    assert any(
        p.startswith(f"line {line_of(text, 'levels:')} (domains[0].norms[1].levels): This version is not scored")
        for p in found
    )


def test_duplicate_yaml_key_is_refused():
    text = broken("  owner: Testbeheerder\n", "  owner: Testbeheerder\n  owner: Iemand anders\n")

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'owner: Iemand')}: Not valid YAML: The key “owner” occurs twice in the same place."
    ]


def test_yaml_syntax_error_names_the_line():
    text = broken(
        '  name: {nl: "Testkader weerbaarheid", en: "Resilience test framework"}',
        '  name: {nl: "Testkader weerbaarheid", en: "Resilience test framework"',
    )

    found = problems(cf.read_yaml, text)

    assert len(found) == 1
    assert found[0].startswith("line ")
    assert "Not valid YAML" in found[0]


def test_file_that_is_not_utf8_names_the_line():
    raw = MINI.replace("Bestuur", "Bestüür").encode("latin-1")

    assert problems(cf.read_yaml, raw) == [
        f"line {line_of(MINI, 'Bestuur')}: The file is not UTF-8 encoded text (save it as UTF-8)."
    ]


def test_huge_file_is_refused_before_parsing():
    raw = MINI.encode() + b"#" * (cf.MAX_FILE_BYTES + 1)

    found = problems(cf.read_yaml, raw)

    assert len(found) == 1
    assert found[0].startswith("The file is too large")


def test_yaml_alias_bomb_is_refused():
    bomb = "\n".join(
        ["a: &a [x, x, x, x, x, x, x, x, x]"]
        + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 4)}]" for i in range(8)]
    )

    assert problems(cf.read_yaml, bomb) == [
        "line 1: Not valid YAML: Anchors and aliases (& and *) are not allowed in catalogue files."
    ]


def test_deep_nesting_and_too_many_values_are_refused(monkeypatch):
    # The count is checked as each value is read; a lower limit tests the same check without
    # parsing a quarter of a million values in pure Python.
    monkeypatch.setattr(cf, "MAX_YAML_NODES", 2_000)
    deep = "a: " + "[" * 200 + "]" * 200
    many = "a: [" + ", ".join("1" for _ in range(cf.MAX_YAML_NODES + 1)) + "]"

    assert problems(cf.read_yaml, deep) == ["line 1: Not valid YAML: The file is nested too deeply."]
    assert problems(cf.read_yaml, many)[0].endswith(f"The file holds too many values (at most {cf.MAX_YAML_NODES}).")


def test_python_object_tags_are_refused():
    found = problems(cf.read_yaml, "format: !!python/object/apply:os.system ['true']\n")

    assert len(found) == 1
    assert found[0].startswith("line 1: Not valid YAML")


def test_too_many_norms_are_refused():
    norms = "\n".join(f"      - {{code: N{i}, title: {{nl: Norm {i}}}}}" for i in range(cf.MAX_NORMS + 1))
    text = (
        "format: weerbaar-catalogue/1\nframework: {code: GROOT, name: {nl: Groot}}\n"
        "version: {label: '1', scored: false}\n"
        "domains:\n  - code: A\n    title: {nl: A}\n    norms:\n" + norms
    )

    assert problems(cf.read_yaml, text) == [
        f"line 4 (domains): Too many norms ({cf.MAX_NORMS + 1}; at most {cf.MAX_NORMS})."
    ]


def test_overlong_text_is_refused():
    text = broken('title: {nl: "Rollen belegd"}', f'title: {{nl: "{"x" * (cf.MAX_TITLE + 1)}"}}')

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'xxxx')} (domains[0].norms[1].title.nl): "
        f"The text is too long ({cf.MAX_TITLE + 1} characters; at most {cf.MAX_TITLE})."
    ]


def test_empty_file_and_unknown_format_are_refused():
    assert problems(cf.read_yaml, "\n\n") == ["The file is empty."]
    assert problems(cf.read_yaml, "format: iets-anders/2\n") == [
        "line 1 (format): Unknown format; expected “weerbaar-catalogue/1” or “weerbaar-mappings/1”."
    ]


def test_mapping_file_with_bad_relation_and_duplicate_pair():
    text = (
        data("mappings.yaml")
        .decode()
        .replace("relation: subset", "relation: same")
        .replace(
            '  - {source: GO.02, target: "5.2", relation: related}',
            '  - {source: GO.01, target: "5.1", relation: related}',
        )
    )

    assert problems(cf.read_yaml, text) == [
        f"line {line_of(text, 'GO.01', 2)} (pairs[1]): The pair GO.01 → 5.1 occurs twice.",
        f"line {line_of(text, 'same')} (pairs[2].relation): The relation must be one of: "
        "equivalent, related, subset, superset.",
    ]


def test_csv_with_wrong_header_lists_unknown_and_missing_columns():
    raw = data("mini.csv").decode().replace("norm_code", "norm_id", 1).replace("statement_nl", "statement", 1)

    found = problems(cf.read_csv, raw)

    assert found[0] == "row 1 (header): Unknown columns: norm_id, statement."
    assert found[1] == "row 1 (header): Missing columns: norm_code."
    assert found[2].startswith("row 1 (header): The columns are: framework_code, framework_name_nl")


def test_csv_problems_name_row_and_column():
    raw = data("mini.csv").decode().splitlines()  # lines 1-2 are row 2 (a cell spans two lines)
    raw[3] = raw[3].replace("ja;BV", "misschien;BV")

    found = problems(cf.read_csv, "\n".join(raw))

    assert (
        "row 3, column version_scored: Differs from row 2; framework and version columns must "
        "be the same on every row." in found
    )


def test_csv_cell_problems_point_at_the_cell():
    raw = data("mini.csv").decode().splitlines()
    raw[3] = raw[3].replace("Oude software is lek.", "").replace(";Geautomatiseerd.;", ";;")

    found = problems(cf.read_csv, "\n".join(raw))

    assert found == [
        "row 3, column rationale_nl: The field “rationale” is required.",
        "row 3, column level_1_nl: A scored norm needs exactly five levels, 1 to 5; missing: 5.",
    ]


def test_csv_row_with_the_wrong_number_of_cells():
    raw = data("mini.csv").decode().splitlines()
    raw[2] = raw[2] + ";extra"

    assert problems(cf.read_csv, "\n".join(raw)) == ["row 2: Expected 17 cells, found 18."]


def test_files_are_told_apart_by_name_or_content():
    from tests.frameworks.conftest import NIST_BASIC, oscal_fixture
    from weerbaar.frameworks.documents import read_document

    assert read_document("upload.txt", data("mini.csv")).framework.code == "CSV-KADER"
    assert read_document("upload", oscal_fixture(NIST_BASIC), oscal_code="BASIC").framework.code == "BASIC"
    assert read_document("mappings.yml", data("mappings.yaml")).target_framework == "TEST-REF"
    assert problems(lambda raw: read_document("plaatje.png", raw), b"\x89PNG\r\n\x1a\n") == [
        "Unrecognised file: expected YAML (.yaml), CSV (.csv) or OSCAL JSON (.json)."
    ]
