"""Writes on the catalogue: imports, drafts, norm edits and publication.

Who may write: the sector coordinators of the organisation that maintains the framework, or,
for a shipped framework without a maintainer, any sector coordinator. `actor=None` is the
platform itself (a management command); the audit log then names "system".

A published version never changes: every write below refuses it. A new version starts as a
draft copy (`create_draft_from`), is edited, and is published in its turn.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.core import audit
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, can, require
from weerbaar.frameworks import selectors
from weerbaar.frameworks.catalogue_format import (
    ITEM_CODE,
    VERSION_LABEL,
    Catalogue,
    CatalogueError,
    MappingSet,
    Problem,
    Reader,
    check_catalogue,
)
from weerbaar.frameworks.choices import LEVELS, DomainPart, VersionStatus
from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Mapping, Norm
from weerbaar.organisations.models import Organisation, Sector

NORM_EDITABLE_FIELDS = [
    "code",
    "id_confirmed",
    "title_nl",
    "title_en",
    "statement_nl",
    "statement_en",
    "rationale_nl",
    "rationale_en",
    "levels",
    "target_measures",
    "references",
    "domain",
]


# --- who may write ---------------------------------------------------------------------------


def can_maintain(actor, framework: Framework) -> bool:
    """Whether `actor` may change `framework` (import versions, edit drafts, publish)."""
    if actor is None:
        return True
    if framework.maintainer_id is not None:
        return can(actor, Action.SECTOR_COORDINATE, framework.maintainer_id)
    return selectors.coordinating_organisations(actor).exists()


def require_maintainer(actor, framework: Framework) -> None:
    if not can_maintain(actor, framework):
        raise NotPermitted("only the framework's sector coordinators may change it")


def can_import(actor) -> bool:
    """Whether `actor` may import catalogues at all (holds sector coordination somewhere)."""
    return actor is None or selectors.coordinating_organisations(actor).exists()


def _lock_draft(version: FrameworkVersion) -> FrameworkVersion:
    """The version re-read under a row lock, refused unless it is still a draft."""
    locked = FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("This version is published and can no longer be changed. Make a new draft from it."))
    return locked


def _errors(problems: list[Problem]) -> ValidationError:
    return ValidationError([str(problem) for problem in problems])


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    version: FrameworkVersion
    created: bool  # False when the same version with the same content was already there


@dataclass(frozen=True)
class MappingImportResult:
    source: FrameworkVersion
    target: FrameworkVersion
    added: int
    changed: int
    unchanged: int


def _maintainer_for_new_framework(actor, maintainer: Organisation | None) -> Organisation | None:
    if actor is None:
        return maintainer
    if maintainer is not None:
        require(actor, Action.SECTOR_COORDINATE, maintainer.pk)
        return maintainer
    coordinated = list(selectors.coordinating_organisations(actor)[:2])
    if not coordinated:
        raise NotPermitted("only sector coordinators may import frameworks")
    if len(coordinated) > 1:
        raise ValidationError({"maintainer": _("Choose which organisation will maintain this framework.")})
    return coordinated[0]


@transaction.atomic
def import_catalogue(
    *, actor, catalogue: Catalogue, maintainer: Organisation | None = None, publish: bool = True
) -> ImportResult:
    """Add one version of a framework from a parsed catalogue file, all or nothing.

    A new framework is maintained by `maintainer` (or the importing coordinator's organisation;
    none for the platform's own catalogues). Importing a version that already exists with the
    same content changes nothing; with different content it is refused: a published version
    never changes, so a changed catalogue needs a new version label.
    """
    try:
        check_catalogue(catalogue)
    except CatalogueError as exc:
        raise _errors(exc.problems) from exc
    framework = Framework.objects.filter(code=catalogue.framework.code).first()
    if framework is not None:
        require_maintainer(actor, framework)
        existing = framework.versions.filter(label=catalogue.version.label).first()
        if existing is not None:
            stored = selectors.version_as_catalogue(existing)
            if (stored.version, stored.domains) == (catalogue.version, catalogue.domains):
                return ImportResult(existing, created=False)
            raise ValidationError(
                _(
                    "Version %(label)s of %(code)s already exists with different content. "
                    "Import the changed catalogue under a new version label, or make a draft "
                    "from the existing version."
                )
                % {"label": catalogue.version.label, "code": framework.code}
            )
    else:
        info = catalogue.framework
        framework = Framework.objects.create(
            code=info.code,
            name_nl=info.name.nl,
            name_en=info.name.en,
            owner=info.owner,
            description_nl=info.description.nl,
            description_en=info.description.en,
            maintainer=_maintainer_for_new_framework(actor, maintainer),
        )
        framework.sectors.set(Sector.objects.filter(code__in=info.sectors))

    info = catalogue.version
    version = FrameworkVersion.objects.create(
        framework=framework,
        label=info.label,
        released=info.released,
        scored=info.scored,
        source_note_nl=info.source_note.nl,
        source_note_en=info.source_note.en,
        status=VersionStatus.PUBLISHED if publish else VersionStatus.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    _write_domains(version, catalogue)
    audit.record(
        actor=actor,
        action="framework.version_imported",
        organisation_id=framework.maintainer_id,
        obj=version,
        object_label=str(version),
        changes={
            "framework": framework.code,
            "version": version.label,
            "status": version.status,
            "domains": len(catalogue.domains),
            "norms": catalogue.norm_count,
        },
    )
    return ImportResult(version, created=True)


def _write_domains(version: FrameworkVersion, catalogue: Catalogue) -> None:
    domains = Domain.objects.bulk_create(
        [
            Domain(
                version=version,
                code=d.code,
                part=d.part,
                title_nl=d.title.nl,
                title_en=d.title.en,
                description_nl=d.description.nl,
                description_en=d.description.en,
                position=index,
            )
            for index, d in enumerate(catalogue.domains)
        ]
    )
    norms = []
    for domain, data in zip(domains, catalogue.domains, strict=True):
        for position, norm in enumerate(data.norms):
            norms.append(
                Norm(
                    version=version,
                    domain=domain,
                    code=norm.code,
                    id_confirmed=norm.id_confirmed,
                    title_nl=norm.title.nl,
                    title_en=norm.title.en,
                    statement_nl=norm.statement.nl,
                    statement_en=norm.statement.en,
                    rationale_nl=norm.rationale.nl,
                    rationale_en=norm.rationale.en,
                    levels={str(level): text.as_dict() for level, text in zip(LEVELS, norm.levels, strict=False)},
                    target_measures=[measure.as_dict() for measure in norm.target_measures],
                    references=list(norm.references),
                    position=position,
                )
            )
    Norm.objects.bulk_create(norms, batch_size=500)


@transaction.atomic
def import_mappings(*, actor, mappings: MappingSet) -> MappingImportResult:
    """Add the pairs of a mapping file between two existing versions, all or nothing.

    Pairs already present are left alone; a pair with another relation gets the file's relation.
    Mappings are hints beside the norms, not part of a version's content, so they may be added
    to published versions.
    """
    source = selectors.find_version(mappings.source_framework, mappings.source_version)
    target = selectors.find_version(mappings.target_framework, mappings.target_version)
    missing = [
        f"{code} {label}"
        for found, code, label in (
            (source, mappings.source_framework, mappings.source_version),
            (target, mappings.target_framework, mappings.target_version),
        )
        if found is None
    ]
    if missing:
        raise ValidationError(
            _("Import these framework versions before their mappings: %(versions)s.") % {"versions": ", ".join(missing)}
        )
    if source.pk == target.pk:
        raise ValidationError(_("A mapping file must map between two different versions."))
    require_maintainer(actor, source.framework)
    source_norms = dict(Norm.objects.filter(version=source).values_list("code", "pk"))
    target_norms = dict(Norm.objects.filter(version=target).values_list("code", "pk"))
    problems = []
    for index, pair in enumerate(mappings.pairs):
        for code, known, version in (
            (pair.source, source_norms, source),
            (pair.target, target_norms, target),
        ):
            if code not in known:
                problems.append(
                    _("pairs[%(index)d]: %(version)s has no norm “%(code)s”.")
                    % {"index": index, "version": version, "code": code}
                )
    if problems:
        raise ValidationError(problems[:50])
    existing = {
        (m.source_id, m.target_id): m for m in Mapping.objects.filter(source__version=source, target__version=target)
    }
    added, changed, unchanged = [], [], 0
    for pair in mappings.pairs:
        key = (source_norms[pair.source], target_norms[pair.target])
        mapping = existing.get(key)
        if mapping is None:
            added.append(Mapping(source_id=key[0], target_id=key[1], relation=pair.relation))
        elif mapping.relation != pair.relation:
            mapping.relation = pair.relation
            changed.append(mapping)
        else:
            unchanged += 1
    Mapping.objects.bulk_create(added, batch_size=500)
    Mapping.objects.bulk_update(changed, ["relation"], batch_size=500)
    if added or changed:
        audit.record(
            actor=actor,
            action="framework.mappings_imported",
            organisation_id=source.framework.maintainer_id,
            obj=source,
            object_label=f"{source} → {target}",
            changes={
                "source": str(source),
                "target": str(target),
                "added": len(added),
                "changed": len(changed),
            },
        )
    return MappingImportResult(source, target, len(added), len(changed), unchanged)


@transaction.atomic
def import_documents(
    *,
    actor,
    documents: list[Catalogue | MappingSet],
    maintainer: Organisation | None = None,
    publish: bool = True,
) -> list[ImportResult | MappingImportResult]:
    """Import several parsed files in one transaction: catalogues first, then the mappings
    that may refer to them. If one fails, none is written."""
    catalogues = [d for d in documents if isinstance(d, Catalogue)]
    mapping_sets = [d for d in documents if isinstance(d, MappingSet)]
    results: list[ImportResult | MappingImportResult] = [
        import_catalogue(actor=actor, catalogue=c, maintainer=maintainer, publish=publish) for c in catalogues
    ]
    results += [import_mappings(actor=actor, mappings=m) for m in mapping_sets]
    return results


# --- drafts ----------------------------------------------------------------------------------


@transaction.atomic
def create_draft_from(*, actor, version: FrameworkVersion, label: str) -> FrameworkVersion:
    """A new draft version of the same framework, a full copy of `version`: domains, norms and
    the mappings to and from its norms."""
    framework = version.framework
    require_maintainer(actor, framework)
    label = (label or "").strip()
    if not VERSION_LABEL.match(label):
        raise ValidationError({"label": _("Use letters, digits and . _ + - (at most 40), no spaces.")})
    if framework.versions.filter(label=label).exists():
        raise ValidationError({"label": _("This framework already has a version %(label)s.") % {"label": label}})
    draft = FrameworkVersion.objects.create(
        framework=framework,
        label=label,
        status=VersionStatus.DRAFT,
        scored=version.scored,
        source_note_nl=version.source_note_nl,
        source_note_en=version.source_note_en,
        derived_from=version,
    )
    old_domains = list(Domain.objects.filter(version=version).order_by("position"))
    new_domains = Domain.objects.bulk_create(
        [
            Domain(
                version=draft,
                code=d.code,
                part=d.part,
                title_nl=d.title_nl,
                title_en=d.title_en,
                description_nl=d.description_nl,
                description_en=d.description_en,
                position=d.position,
            )
            for d in old_domains
        ]
    )
    domain_ids = {old.pk: new for old, new in zip(old_domains, new_domains, strict=True)}
    old_norms = list(Norm.objects.filter(version=version))
    new_norms = Norm.objects.bulk_create(
        [
            Norm(
                version=draft,
                domain=domain_ids[n.domain_id],
                code=n.code,
                id_confirmed=n.id_confirmed,
                title_nl=n.title_nl,
                title_en=n.title_en,
                statement_nl=n.statement_nl,
                statement_en=n.statement_en,
                rationale_nl=n.rationale_nl,
                rationale_en=n.rationale_en,
                levels=n.levels,
                target_measures=n.target_measures,
                references=n.references,
                position=n.position,
            )
            for n in old_norms
        ],
        batch_size=500,
    )
    norm_ids = {old.pk: new.pk for old, new in zip(old_norms, new_norms, strict=True)}
    copies = [
        Mapping(
            source_id=norm_ids.get(m.source_id, m.source_id),
            target_id=norm_ids.get(m.target_id, m.target_id),
            relation=m.relation,
        )
        for m in Mapping.objects.filter(Q(source__version=version) | Q(target__version=version))
    ]
    Mapping.objects.bulk_create(copies, batch_size=500)
    audit.record(
        actor=actor,
        action="framework.draft_created",
        organisation_id=framework.maintainer_id,
        obj=draft,
        object_label=str(draft),
        changes={
            "from": version.label,
            "label": label,
            "norms": len(new_norms),
            "mappings": len(copies),
        },
    )
    return draft


def _norm_raw(values: dict) -> dict:
    """Model-shaped norm values as the plain data the file checks read."""

    def text(prefix: str) -> dict | None:
        nl, en = values.get(f"{prefix}_nl") or "", values.get(f"{prefix}_en") or ""
        if not nl and not en:
            return None
        return {"nl": nl, "en": en}

    raw = {
        "code": values.get("code"),
        "id_confirmed": bool(values.get("id_confirmed")),
        "title": text("title"),
    }
    for key in ("statement", "rationale"):
        if text(key):
            raw[key] = text(key)
    if values.get("levels"):
        raw["levels"] = values["levels"]
    if values.get("target_measures"):
        raw["target_measures"] = values["target_measures"]
    if values.get("references"):
        raw["references"] = values["references"]
    return raw


def _field_for(path: tuple) -> str:
    if not path:
        return "__all__"
    head = path[0]
    if head in ("title", "statement", "rationale"):
        return f"{head}_{path[1]}" if len(path) > 1 and path[1] in ("nl", "en") else f"{head}_nl"
    if head == "levels":
        return f"level_{path[1]}_{path[2] if len(path) > 2 else 'nl'}" if len(path) > 1 else "levels"
    return str(head)


def _check_norm(values: dict, scored: bool) -> dict:
    """Check edited norm values with the same rules as a catalogue file, except that a draft
    norm may still lack its statement, "why it matters" or some levels; return them cleaned."""
    problems: dict[str, list[str]] = {}

    def locate(path: tuple) -> str:
        return _field_for(path)

    reader = Reader(locate=locate)
    data = reader.norm(_norm_raw(values), (), scored, partial=True)
    for problem in reader.problems:
        problems.setdefault(problem.where, []).append(problem.message)
    if problems:
        raise ValidationError(problems)
    return {
        "code": data.code,
        "id_confirmed": data.id_confirmed,
        "title_nl": data.title.nl,
        "title_en": data.title.en,
        "statement_nl": data.statement.nl,
        "statement_en": data.statement.en,
        "rationale_nl": data.rationale.nl,
        "rationale_en": data.rationale.en,
        "levels": {str(level): text.as_dict() for level, text in zip(LEVELS, data.levels, strict=False) if text},
        "target_measures": [m.as_dict() for m in data.target_measures],
        "references": list(data.references),
    }


@transaction.atomic
def update_norm(*, actor, norm: Norm, **values) -> Norm:
    """Change a norm of a draft version. Published versions refuse."""
    require_maintainer(actor, norm.version.framework)
    version = _lock_draft(norm.version)
    unknown = set(values) - set(NORM_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    domain = values.pop("domain", None) or norm.domain
    if domain.version_id != version.pk:
        raise ValidationError({"domain": _("Choose a domain of the same version.")})
    current = {name: getattr(norm, name) for name in NORM_EDITABLE_FIELDS if name != "domain"}
    cleaned = _check_norm({**current, **values}, version.scored)
    if cleaned["code"] != norm.code and Norm.objects.filter(version=version, code=cleaned["code"]).exists():
        raise ValidationError({"code": _("This version already has a norm %(code)s.") % {"code": cleaned["code"]}})
    changes = audit.field_changes(norm, list(cleaned), cleaned)
    if domain.pk != norm.domain_id:
        changes["domain"] = [norm.domain.code, domain.code]
        norm.position = (
            Norm.objects.filter(domain=domain).order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        norm.domain = domain
    if not changes:
        return norm
    for name, value in cleaned.items():
        setattr(norm, name, value)
    norm.save()
    audit.record(
        actor=actor,
        action="framework.norm_changed",
        organisation_id=version.framework.maintainer_id,
        obj=norm,
        object_label=f"{version} {norm.code}",
        changes=changes,
    )
    return norm


@transaction.atomic
def add_norm(*, actor, domain: Domain, **values) -> Norm:
    """Add a norm at the end of a domain of a draft version."""
    require_maintainer(actor, domain.version.framework)
    version = _lock_draft(domain.version)
    unknown = set(values) - (set(NORM_EDITABLE_FIELDS) - {"domain"})
    if unknown:
        raise ValidationError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = _check_norm(values, version.scored)
    if Norm.objects.filter(version=version, code=cleaned["code"]).exists():
        raise ValidationError({"code": _("This version already has a norm %(code)s.") % {"code": cleaned["code"]}})
    last = Norm.objects.filter(domain=domain).order_by("-position").values_list("position", flat=True).first()
    norm = Norm.objects.create(
        version=version, domain=domain, position=(last + 1) if last is not None else 0, **cleaned
    )
    audit.record(
        actor=actor,
        action="framework.norm_added",
        organisation_id=version.framework.maintainer_id,
        obj=norm,
        object_label=f"{version} {norm.code}",
        changes={"code": norm.code, "domain": domain.code},
    )
    return norm


@transaction.atomic
def remove_norm(*, actor, norm: Norm) -> None:
    """Remove a norm (and its mappings) from a draft version."""
    require_maintainer(actor, norm.version.framework)
    version = _lock_draft(norm.version)
    label = f"{version} {norm.code}"
    audit.record(
        actor=actor,
        action="framework.norm_removed",
        organisation_id=version.framework.maintainer_id,
        obj=norm,
        object_label=label,
        changes={"code": norm.code, "domain": norm.domain.code},
    )
    norm.delete()


@transaction.atomic
def add_domain(
    *,
    actor,
    version: FrameworkVersion,
    code: str,
    title_nl: str,
    title_en: str = "",
    part: str = DomainPart.SECURITY,
    description_nl: str = "",
    description_en: str = "",
) -> Domain:
    """Add a domain at the end of a draft version."""
    require_maintainer(actor, version.framework)
    version = _lock_draft(version)
    code = (code or "").strip()
    errors: dict[str, str] = {}
    if not ITEM_CODE.match(code):
        errors["code"] = _("Use letters, digits and . _ - : ( ) /.")
    elif Domain.objects.filter(version=version, code=code).exists():
        errors["code"] = _("This version already has a domain %(code)s.") % {"code": code}
    if not (title_nl or "").strip():
        errors["title_nl"] = _("The Dutch title is required.")
    if part not in DomainPart.values:
        errors["part"] = _("Choose a valid part.")
    if errors:
        raise ValidationError(errors)
    last = Domain.objects.filter(version=version).order_by("-position").values_list("position", flat=True).first()
    domain = Domain.objects.create(
        version=version,
        code=code,
        part=part,
        title_nl=title_nl.strip(),
        title_en=(title_en or "").strip(),
        description_nl=(description_nl or "").strip(),
        description_en=(description_en or "").strip(),
        position=(last + 1) if last is not None else 0,
    )
    audit.record(
        actor=actor,
        action="framework.domain_added",
        organisation_id=version.framework.maintainer_id,
        obj=domain,
        object_label=f"{version} {code}",
        changes={"code": code},
    )
    return domain


@transaction.atomic
def publish_version(*, actor, version: FrameworkVersion) -> FrameworkVersion:
    """Publish a draft: from now on it never changes. It must pass every catalogue check
    (for a scored framework: five level descriptions on every norm)."""
    require_maintainer(actor, version.framework)
    version = _lock_draft(version)
    catalogue = selectors.version_as_catalogue(version)
    if not catalogue.norm_count:
        raise ValidationError(_("A version needs at least one norm before it can be published."))
    try:
        check_catalogue(catalogue)
    except CatalogueError as exc:
        raise _errors(exc.problems) from exc
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    if version.released is None:
        version.released = timezone.localdate()
    version.save(update_fields=["status", "published_at", "released", "updated_at"])
    audit.record(
        actor=actor,
        action="framework.version_published",
        organisation_id=version.framework.maintainer_id,
        obj=version,
        object_label=str(version),
        changes={"status": [VersionStatus.DRAFT, VersionStatus.PUBLISHED]},
    )
    return version


@transaction.atomic
def discard_draft(*, actor, version: FrameworkVersion) -> None:
    """Throw away a draft version with everything in it."""
    require_maintainer(actor, version.framework)
    version = _lock_draft(version)
    audit.record(
        actor=actor,
        action="framework.draft_discarded",
        organisation_id=version.framework.maintainer_id,
        obj=version,
        object_label=str(version),
        changes={"label": version.label},
    )
    Mapping.objects.filter(source__version=version).delete()
    Mapping.objects.filter(target__version=version).delete()
    version.norms.all().delete()
    version.domains.all().delete()
    version.delete()
