"""Writing the catalogue: imports all or nothing, published versions never change, drafts copy
everything, and only a framework's sector coordinators may write."""

import pytest
from django.core.exceptions import ValidationError

from tests.frameworks.conftest import data, load, sector_organisation
from weerbaar.core.models import AuditEntry
from weerbaar.core.tenancy import NotPermitted
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks import selectors, services
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.documents import read_document
from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Mapping, Norm

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the catalogue holds, to show a refused write changed nothing."""
    return (
        list(Framework.objects.values().order_by("pk")),
        list(FrameworkVersion.objects.values().order_by("pk")),
        list(Domain.objects.values().order_by("pk")),
        list(Norm.objects.values().order_by("pk")),
        list(Mapping.objects.values().order_by("pk")),
        AuditEntry.objects.count(),
    )


def with_mappings():
    version = load("mini.yaml")
    reference = load("reference-list.yaml")
    services.import_mappings(actor=None, mappings=cf.read_yaml(data("mappings.yaml")))
    return version, reference


def test_import_writes_the_whole_catalogue_and_records_it():
    version = load("mini.yaml")

    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None
    framework = version.framework
    assert (framework.code, framework.name_nl, framework.owner) == (
        "TEST-KADER",
        "Testkader weerbaarheid",
        "Testbeheerder",
    )
    assert sorted(framework.sectors.values_list("code", flat=True)) == ["PO", "VO"]
    assert framework.maintainer is None
    norms = list(selectors.norms_of_version(version))
    assert [n.code for n in norms] == ["GO.01", "GO.02", "PR.01"]
    go01 = norms[0]
    assert go01.levels["3"] == {"nl": "Het beleid is vastgesteld.", "en": "The policy is adopted."}
    assert go01.references == ["AVG art. 32", "ISO/IEC 27002:2022 5.1"]
    entry = AuditEntry.objects.get(action="framework.version_imported")
    assert entry.actor_label == "system"
    assert entry.changes["norms"] == 3


def test_stored_version_reads_back_as_the_imported_catalogue():
    catalogue = cf.read_yaml(data("mini.yaml"))
    version = services.import_catalogue(actor=None, catalogue=catalogue).version

    assert selectors.version_as_catalogue(version) == catalogue


def test_importing_the_same_version_again_changes_nothing():
    load("mini.yaml")
    before = snapshot()

    result = services.import_catalogue(actor=None, catalogue=cf.read_yaml(data("mini.yaml")))

    assert result.created is False
    assert snapshot() == before


def test_importing_changed_content_under_an_existing_label_is_refused():
    load("mini.yaml")
    before = snapshot()
    changed = data("mini.yaml").decode().replace("Beleid vastgesteld", "Beleid herzien").encode()

    with pytest.raises(ValidationError, match="Version 2024 of TEST-KADER already exists with different content"):
        services.import_catalogue(actor=None, catalogue=cf.read_yaml(changed))
    assert snapshot() == before


def test_a_failing_file_in_a_batch_writes_nothing_at_all():
    documents = [
        read_document("mini.yaml", data("mini.yaml")),
        read_document("mappings.yaml", data("mappings.yaml")),
    ]

    # The mapping file refers to TEST-REF 2022, which is not part of the batch.
    with pytest.raises(
        ValidationError,
        match="Import these framework versions before their mappings: TEST-REF 2022",
    ):
        services.import_documents(actor=None, documents=documents)
    assert not Framework.objects.exists()
    assert not AuditEntry.objects.exists()


def test_mappings_import_once_and_update_relations():
    version, reference = with_mappings()
    go01 = Norm.objects.get(version=version, code="GO.01")

    assert [(m.norm.code, m.relation) for m in selectors.mapped_norms(go01)] == [("5.1", "equivalent")]
    # Seen from the reference list the relation reads the other way round.
    r531 = Norm.objects.get(version=reference, code="5.31")
    assert [(m.norm.code, m.relation) for m in selectors.mapped_norms(r531)] == [("PR.01", "superset")]

    again = services.import_mappings(actor=None, mappings=cf.read_yaml(data("mappings.yaml")))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    changed = data("mappings.yaml").decode().replace("relation: equivalent", "relation: related").encode()
    result = services.import_mappings(actor=None, mappings=cf.read_yaml(changed))
    assert (result.added, result.changed) == (0, 1)
    assert Mapping.objects.get(source=go01).relation == "related"


def test_mapping_to_an_unknown_norm_is_refused_and_writes_nothing():
    load("mini.yaml")
    load("reference-list.yaml")
    before = snapshot()
    broken = data("mappings.yaml").decode().replace('target: "5.31"', 'target: "9.99"').encode()

    with pytest.raises(ValidationError, match=r"pairs\[2\]: TEST-REF 2022 has no norm “9\.99”"):
        services.import_mappings(actor=None, mappings=cf.read_yaml(broken))
    assert snapshot() == before


def test_draft_from_a_published_version_copies_norms_domains_and_mappings():
    version, _reference = with_mappings()

    draft = services.create_draft_from(actor=None, version=version, label="2025")

    assert draft.status == VersionStatus.DRAFT
    assert draft.derived_from == version
    copied = selectors.version_as_catalogue(draft)
    original = selectors.version_as_catalogue(version)
    assert (copied.domains, copied.version.scored) == (original.domains, original.version.scored)
    assert set(
        Mapping.objects.filter(source__version=draft).values_list("source__code", "target__code", "relation")
    ) == {
        ("GO.01", "5.1", "equivalent"),
        ("GO.02", "5.2", "related"),
        ("PR.01", "5.31", "subset"),
    }
    # The published version keeps its own mappings.
    assert Mapping.objects.filter(source__version=version).count() == 3
    assert AuditEntry.objects.filter(action="framework.draft_created").exists()


def test_published_version_refuses_every_change():
    version = load("mini.yaml")
    norm = Norm.objects.get(version=version, code="GO.01")
    domain = norm.domain
    before = snapshot()

    with pytest.raises(ValidationError, match="published"):
        services.update_norm(actor=None, norm=norm, title_nl="Anders")
    with pytest.raises(ValidationError, match="published"):
        services.add_norm(actor=None, domain=domain, code="GO.09", title_nl="Nieuw")
    with pytest.raises(ValidationError, match="published"):
        services.remove_norm(actor=None, norm=norm)
    with pytest.raises(ValidationError, match="published"):
        services.add_domain(actor=None, version=version, code="XX", title_nl="Extra")
    with pytest.raises(ValidationError, match="published"):
        services.publish_version(actor=None, version=version)
    with pytest.raises(ValidationError, match="published"):
        services.discard_draft(actor=None, version=version)
    assert snapshot() == before


def test_norm_in_a_draft_can_be_edited_and_the_change_is_recorded():
    draft = services.create_draft_from(actor=None, version=load("mini.yaml"), label="2025")
    norm = Norm.objects.get(version=draft, code="GO.02")
    levels = dict(norm.levels, **{"3": {"nl": "Formeel belegd en bekend."}})

    services.update_norm(actor=None, norm=norm, title_en="Roles assigned", levels=levels)

    norm.refresh_from_db()
    assert norm.title_en == "Roles assigned"
    assert norm.levels["3"] == {"nl": "Formeel belegd en bekend."}
    entry = AuditEntry.objects.get(action="framework.norm_changed")
    assert set(entry.changes) == {"title_en", "levels"}


def test_edit_is_checked_like_a_catalogue_file():
    draft = services.create_draft_from(actor=None, version=load("mini.yaml"), label="2025")
    norm = Norm.objects.get(version=draft, code="GO.02")
    before = snapshot()
    levels = dict(norm.levels, **{"6": {"nl": "Nog beter."}, "4": {"en": "Only English."}})

    with pytest.raises(ValidationError) as caught:
        services.update_norm(actor=None, norm=norm, code="GO 01", title_nl="", levels=levels)

    assert caught.value.message_dict == {
        "code": ["“GO 01” is not a valid code: use letters, digits and . _ - : ( ) /."],
        "title_nl": ["The field “title” is required."],
        "level_6_nl": ["“6” is not a level; levels are 1 to 5."],
        "level_4_nl": ["The Dutch text (nl) is required."],
    }
    with pytest.raises(ValidationError) as caught:
        services.update_norm(actor=None, norm=norm, code="GO.01")
    assert caught.value.message_dict == {"code": ["This version already has a norm GO.01."]}
    assert snapshot() == before


def test_publishing_needs_complete_norms_and_then_freezes_the_version():
    draft = services.create_draft_from(actor=None, version=load("mini.yaml"), label="2025")
    domain = Domain.objects.get(version=draft, code="GO")
    norm = services.add_norm(actor=None, domain=domain, code="GO.03", title_nl="Risico's in beeld")

    with pytest.raises(ValidationError) as caught:
        services.publish_version(actor=None, version=draft)
    assert caught.value.messages == [
        "domains[0].norms[2].statement: The field “statement” is required.",
        "domains[0].norms[2].rationale: The field “rationale” is required.",
        "domains[0].norms[2].levels: A scored norm needs exactly five levels, 1 to 5.",
    ]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    services.update_norm(
        actor=None,
        norm=norm,
        statement_nl="De risico's zijn bekend.",
        rationale_nl="Kennis is de basis.",
        levels={str(level): {"nl": f"Niveau {level}."} for level in range(1, 6)},
    )
    services.publish_version(actor=None, version=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    with pytest.raises(ValidationError, match="published"):
        services.update_norm(actor=None, norm=Norm.objects.get(pk=norm.pk), title_nl="Te laat")


def test_removing_a_norm_from_a_draft_removes_its_mappings_only_there():
    version, _reference = with_mappings()
    draft = services.create_draft_from(actor=None, version=version, label="2025")

    services.remove_norm(actor=None, norm=Norm.objects.get(version=draft, code="GO.02"))

    assert not Norm.objects.filter(version=draft, code="GO.02").exists()
    assert Mapping.objects.filter(source__version=draft).count() == 2
    assert Mapping.objects.filter(source__version=version).count() == 3


def test_diff_finds_added_removed_and_changed_norms():
    old = load("mini.yaml")
    new = load("mini-2025.yaml")

    diff = selectors.diff_versions(old, new)

    assert [p.norm.code for p in diff.added] == ["GO.03"]
    assert [p.norm.code for p in diff.removed] == ["GO.02"]
    assert [(c.code, c.fields) for c in diff.changed] == [("GO.01", ("title", "level_3"))]
    assert diff.unchanged_count == 1
    assert selectors.diff_versions(old, old).is_empty


# --- who may write ---------------------------------------------------------------------------


def test_only_sector_coordinators_may_import(officer, coordinator):
    catalogue = cf.read_yaml(data("mini.yaml"))

    with pytest.raises(NotPermitted):
        services.import_catalogue(actor=officer, catalogue=catalogue)
    assert not Framework.objects.exists()

    version = services.import_catalogue(actor=coordinator, catalogue=catalogue).version
    assert version.framework.maintainer.name == "Kennisnet"
    assert AuditEntry.objects.get(action="framework.version_imported").actor_label == coordinator.email


def test_coordinator_of_several_organisations_must_choose_the_maintainer(coordinator):
    from tests.factories import MembershipFactory
    from weerbaar.core.permissions import Role

    second = sector_organisation("SIVON")
    MembershipFactory(user=coordinator, organisation=second, role=Role.SECTOR_COORDINATOR)
    catalogue = cf.read_yaml(data("mini.yaml"))

    with pytest.raises(ValidationError) as caught:
        services.import_catalogue(actor=coordinator, catalogue=catalogue)
    assert "maintainer" in caught.value.message_dict
    assert (
        services.import_catalogue(
            actor=coordinator, catalogue=catalogue, maintainer=second
        ).version.framework.maintainer
        == second
    )


def test_coordinator_cannot_change_a_framework_another_organisation_maintains(coordinator, other_coordinator):
    version = services.import_catalogue(actor=coordinator, catalogue=cf.read_yaml(data("mini.yaml"))).version
    draft = services.create_draft_from(actor=coordinator, version=version, label="2025")
    norm = Norm.objects.get(version=draft, code="GO.01")
    before = snapshot()

    with pytest.raises(NotPermitted):
        services.update_norm(actor=other_coordinator, norm=norm, title_nl="Overgenomen")
    with pytest.raises(NotPermitted):
        services.publish_version(actor=other_coordinator, version=draft)
    with pytest.raises(NotPermitted):
        services.create_draft_from(actor=other_coordinator, version=version, label="2026")
    with pytest.raises(NotPermitted):
        services.import_catalogue(actor=other_coordinator, catalogue=cf.read_yaml(data("mini-2025.yaml")))
    assert snapshot() == before


def test_any_coordinator_maintains_shipped_frameworks_but_an_officer_does_not(coordinator, other_coordinator, officer):
    version = load("mini.yaml")  # shipped: no maintainer

    assert services.can_maintain(coordinator, version.framework)
    assert services.can_maintain(other_coordinator, version.framework)
    assert not services.can_maintain(officer, version.framework)
    with pytest.raises(NotPermitted):
        services.create_draft_from(actor=officer, version=version, label="2025")
    draft = services.create_draft_from(actor=other_coordinator, version=version, label="2025")
    assert draft.framework.maintainer is None


def test_drafts_are_visible_only_to_those_who_maintain_the_framework(coordinator, officer):
    version = load("mini.yaml")
    draft = services.create_draft_from(actor=None, version=version, label="2025")

    assert set(selectors.visible_versions(officer)) == {version}
    assert set(selectors.visible_versions(coordinator)) == {version, draft}
