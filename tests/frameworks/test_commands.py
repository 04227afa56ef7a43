"""manage.py import_framework, export_framework and load_catalogues."""

import io
import os
import shutil
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.frameworks.conftest import DATA, NIST_LOW, data, load, oscal_fixture
from tests.frameworks.test_services import snapshot
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks import oscal, selectors
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.models import Framework, FrameworkVersion, Mapping

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_framework_imports_catalogues_before_their_mappings():
    # Mappings first on the command line: the command still imports the frameworks first.
    output = run(
        "import_framework",
        str(DATA / "mappings.yaml"),
        str(DATA / "mini.yaml"),
        str(DATA / "reference-list.yaml"),
    )

    assert "TEST-KADER 2024 (Published): imported" in output
    assert "mappings TEST-KADER 2024 → TEST-REF 2022: 3 added, 0 changed, 0 unchanged" in output
    assert Mapping.objects.count() == 3


def test_import_framework_of_the_nist_low_baseline_with_a_code(tmp_path):
    path = tmp_path / "low.json"
    path.write_bytes(oscal_fixture(NIST_LOW))

    output = run("import_framework", str(path), "--code", "NIST-800-53-LOW", "--draft")

    version = FrameworkVersion.objects.get(framework__code="NIST-800-53-LOW")
    assert "NIST-800-53-LOW 5.1.1+u4 (Draft): imported" in output
    assert version.status == VersionStatus.DRAFT
    assert version.norms.count() == 149
    assert version.domains.count() == 18


def test_import_framework_refuses_bad_input_and_writes_nothing(tmp_path):
    good = tmp_path / "mini.yaml"
    shutil.copy(DATA / "mini.yaml", good)
    bad = tmp_path / "broken.csv"
    bad.write_text("framework_code,norm_id\nX,1\n", encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        run("import_framework", str(good), str(bad), str(tmp_path / "missing.yaml"))

    message = str(caught.value)
    assert message.startswith("Nothing was imported. Problems found:")
    assert f"{bad}: row 1 (header): Unknown columns: norm_id." in message
    assert f"{tmp_path / 'missing.yaml'}: no such file" in message
    assert not Framework.objects.exists()


def test_import_framework_refuses_a_changed_published_version(tmp_path):
    load("mini.yaml")
    before = snapshot()
    changed = tmp_path / "changed.yaml"
    changed.write_bytes(data("mini.yaml").replace(b"Beleid vastgesteld", b"Beleid herzien"))

    with pytest.raises(CommandError, match="already exists with different content"):
        run("import_framework", str(changed))
    assert snapshot() == before


def test_import_framework_exits_non_zero_from_the_command_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: weerbaar-catalogue/1\nframework: [\n", encoding="utf-8")
    # manage.py turns CommandError into exit status 1 and a message on stderr.
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "import_framework", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WEERBAAR_DATA_DIR": str(tmp_path), "WEERBAAR_ENV": "test"},
        timeout=120,
    )

    assert result.returncode == 1
    assert "Nothing was imported" in result.stderr
    assert "bad.yaml: line" in result.stderr


@pytest.mark.parametrize(
    ("export_format", "reader"),
    [("yaml", cf.read_yaml), ("csv", cf.read_csv), ("oscal", oscal.read_oscal)],
)
def test_export_framework_writes_a_file_that_imports_back(tmp_path, export_format, reader):
    version = load("mini.yaml")
    target = tmp_path / f"export.{export_format}"

    run("export_framework", "TEST-KADER", "2024", "--format", export_format, "--output", str(target))

    assert reader(target.read_bytes()) == selectors.version_as_catalogue(version)


def test_export_framework_to_standard_output_and_unknown_version():
    load("mini.yaml")

    assert run("export_framework", "TEST-KADER", "2024").startswith("format: weerbaar-catalogue/1\n")
    with pytest.raises(CommandError, match=r"There is no version 1999 of framework TEST-KADER\."):
        run("export_framework", "TEST-KADER", "1999")


def test_load_catalogues_is_safe_to_run_again(tmp_path):
    for name in ("mini.yaml", "reference-list.yaml", "mappings.yaml"):
        shutil.copy(DATA / name, tmp_path / name)

    first = run("load_catalogues", "--directory", str(tmp_path))
    before = snapshot()
    second = run("load_catalogues", "--directory", str(tmp_path))

    assert first.count(": imported") == 2
    assert second.count("already present with the same content, unchanged") == 2
    assert "0 added, 0 changed, 3 unchanged" in second
    assert snapshot() == before


def test_shipped_catalogues_load_and_reload_without_change():
    first = run("load_catalogues")
    before = snapshot()
    run("load_catalogues")

    assert ": imported" in first
    assert Framework.objects.exists()
    assert snapshot() == before
    assert not FrameworkVersion.objects.exclude(status=VersionStatus.PUBLISHED).exists()


def test_load_catalogues_with_a_broken_file_writes_nothing(tmp_path):
    shutil.copy(DATA / "mini.yaml", tmp_path / "mini.yaml")
    (tmp_path / "broken.yaml").write_bytes(data("mini.yaml").replace(b"TEST-KADER", b"test kader"))

    with pytest.raises(CommandError, match="is not a valid code"):
        run("load_catalogues", "--directory", str(tmp_path))
    assert not Framework.objects.exists()
