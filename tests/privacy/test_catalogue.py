"""The product catalogue: who reads and writes it, CSV import (all or nothing) and export."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.factories import member
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.privacy import selectors, services
from weerbaar.privacy.catalogue_format import COLUMNS, parse_products
from weerbaar.privacy.models import Product, Vendor

HEADER = ",".join(COLUMNS)


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = (
    "toetsapp,Toets BV,NL,Toetsapp,Basis,2,Tests,participant,2023-01-05,4.0,"
    "privacy_notice;security,storage:NL;support:US,US:dpf,Host:IE,,"
)


def test_every_member_of_the_sectors_reads_the_catalogue_outsiders_do_not(world):
    for person in (world.dpo_a, world.officer_a, world.board_member_a, world.coordinator):
        assert Product.objects.visible_to(person.user, Action.PRIVACY_VIEW).count() == 2
    # An MBO institution is outside the steward's sectors.
    assert not Product.objects.visible_to(world.mbo_dpo.user, Action.PRIVACY_VIEW).exists()
    # A school's people read it through their sector too.
    school_dpo = member(Role.DPO, world.school_a)
    assert Product.objects.visible_to(school_dpo.user, Action.PRIVACY_VIEW).count() == 2


def test_only_the_coordinator_writes_the_catalogue(world):
    for person in (world.dpo_a, world.officer_a, world.board_member_a):
        with pytest.raises(NotPermitted):
            services.save_product(actor=person.user, steward=world.steward, code="x", vendor_name="X", name="X")
        with pytest.raises(NotPermitted):
            services.create_central_draft(
                actor=person.user,
                product=world.product,
                assessed_on=world.central.assessed_on,
                assessor="me",
                advice="low",
            )
    assert not Product.objects.filter(code="x").exists()
    assert world.product.central_dpias.count() == 1


def test_product_lists_are_checked(world):
    with pytest.raises(ValidationError) as exc:
        services.save_product(
            actor=world.coordinator.user,
            steward=world.steward,
            code="bad",
            vendor_name="V",
            name="Bad",
            transfers=[{"country": "USA", "mechanism": "trust-me"}],
            data_locations=[{"purpose": "somewhere", "country": "NL"}],
        )
    assert set(exc.value.message_dict) == {"transfers", "data_locations"}


def test_import_creates_and_updates(world, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(_csv(GOOD, "leerplatform,Leer BV,NL,Leerplatform,Onderwijs,6,,participant,,,,,,,,"))
    out = StringIO()
    call_command("import_products", str(path), "--steward", str(world.steward.public_id), stdout=out)
    assert "1 created, 1 updated" in out.getvalue()
    product = Product.objects.get(code="toetsapp")
    assert product.transfers == [{"country": "US", "mechanism": "dpf"}]
    assert product.data_locations == [{"purpose": "storage", "country": "NL"}, {"purpose": "support", "country": "US"}]
    assert product.covenant_status == "participant"
    assert Product.objects.get(code="leerplatform").version == "6"


def test_a_bad_row_refuses_the_whole_file_and_names_row_and_column(world, tmp_path):
    path = tmp_path / "catalogue.csv"
    bad = "kapot,Kapot BV,NLD,Kapot,,,,maybe,05-01-2023,,,,US:whatever,,,"
    path.write_bytes(_csv(GOOD, bad, ",Naamloos BV,,Naamloos,,,,,,,,,,,,"))
    before = (Product.objects.count(), Vendor.objects.count())
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_products", str(path), "--steward", str(world.steward.public_id), stderr=err)
    text = err.getvalue()
    for expected in (
        "row 3, column vendor_country",
        "row 3, column covenant_status",
        "row 3, column covenant_since",
        "row 3, column transfers",
        "row 4, column code",
    ):
        assert expected in text
    assert (Product.objects.count(), Vendor.objects.count()) == before


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02binary",
        b"code,vendor,name,colour\nx,y,z,red\n",
        b"vendor,name\nx,y\n",
        b'code,vendor,name\n"unterminated,x,y\n',
        "\xff\xfe".encode("latin-1"),
    ],
)
def test_hostile_files_are_refused_cleanly(world, data):
    with pytest.raises(services.ImportRefusedError):
        services.import_products(actor=world.coordinator.user, steward=world.steward, data=data)
    assert Product.objects.count() == 2


def test_huge_file_is_refused(world):
    data = _csv(*[f"p{i},V,,P{i},,,,,,,,,,,," for i in range(10_001)])
    with pytest.raises(services.ImportRefusedError) as exc:
        services.import_products(actor=world.coordinator.user, steward=world.steward, data=data)
    assert "10000" in str(exc.value) or "10,000" in str(exc.value)
    assert Product.objects.count() == 2


def test_export_then_import_gives_the_same_catalogue(world):
    world.product.description = '=HYPERLINK("http://evil")'
    world.product.save()
    text = services.export_products_csv(Product.objects.filter(steward=world.steward).order_by("code"))
    assert "'=HYPERLINK" in text  # a spreadsheet will not run it
    records, errors = parse_products(text.encode())
    assert errors == []
    by_code = {r.code: r for r in records}
    assert by_code["leerplatform"].description == world.product.description
    assert by_code["leerplatform"].transfers == world.product.transfers
    assert by_code["leerplatform"].sub_processors == world.product.sub_processors
    assert by_code["leerplatform"].dpa_annexes == world.product.dpa_annexes


def test_export_command(world, tmp_path):
    out = StringIO()
    call_command("export_products", "--steward", str(world.steward.public_id), stdout=out)
    assert out.getvalue().splitlines()[0] == HEADER
    assert "leerplatform" in out.getvalue()


def test_product_use_is_recorded_for_products_of_the_own_sector_only(world):
    use = services.record_use(
        actor=world.dpo_a.user, organisation=world.board_a, product=world.product, edition="Onderwijs", decided_by="CvB"
    )
    assert use.decided_by == "CvB"
    with pytest.raises(ValidationError):
        services.record_use(actor=world.mbo_dpo.user, organisation=world.mbo, product=world.product)
    with pytest.raises(NotPermitted):
        services.record_use(actor=world.dpo_b.user, organisation=world.board_a, product=world.other_product)


def test_catalogue_counts_are_anonymised(world, settings):
    settings.BENCHMARK_MIN_GROUP = 2
    services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=world.product)
    row = selectors.list_products(world.dpo_a.user).get(pk=world.product.pk)
    assert row.use_count == 1
    assert row.used_by_me
    assert selectors.anonymised_counts(row.use_count, row.current_count).users is None
    assert selectors.anonymised_counts(3, 0) == selectors.Counts(users=3, current=None)
    assert selectors.anonymised_counts(6, 5) == selectors.Counts(users=6, current=None)  # differs by 1
    assert selectors.anonymised_counts(6, 3) == selectors.Counts(users=6, current=3)
    assert selectors.anonymised_counts(6, 6) == selectors.Counts(users=6, current=6)
