"""Reads of the catalogue.

Published versions are open to every signed-in user. Drafts are work in progress of the sector
coordinators who maintain the framework, and only they see them. Catalogue data belongs to no
institution, so scoping here is by sign-in and maintainership, not by `visible_to`.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import visible_organisations
from weerbaar.frameworks.catalogue_format import (
    EMPTY,
    Catalogue,
    DomainData,
    FrameworkInfo,
    NormData,
    Text,
    VersionInfo,
)
from weerbaar.frameworks.choices import LEVELS, MappingRelation, VersionStatus
from weerbaar.frameworks.diff import VersionDiff, diff_catalogues
from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Mapping, Norm
from weerbaar.organisations.models import Organisation


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def coordinating_organisations(user) -> QuerySet[Organisation]:
    """The organisations where `user` may do sector coordination (and so maintain frameworks)."""
    if not _signed_in(user):
        return Organisation.objects.none()
    return visible_organisations(user, Action.SECTOR_COORDINATE)


def maintainable_frameworks(user) -> QuerySet[Framework]:
    """Frameworks `user` may change: those maintained by an organisation they coordinate for,
    and the shipped ones (no maintainer) when they coordinate anywhere."""
    coordinated = coordinating_organisations(user)
    condition = Q(maintainer__in=coordinated.values("pk"))
    if coordinated.exists():
        condition |= Q(maintainer__isnull=True)
    return Framework.objects.filter(condition)


def visible_versions(user) -> QuerySet[FrameworkVersion]:
    if not _signed_in(user):
        return FrameworkVersion.objects.none()
    return FrameworkVersion.objects.filter(
        Q(status=VersionStatus.PUBLISHED) | Q(framework__in=maintainable_frameworks(user).values("pk"))
    )


def list_frameworks(user, search: str = "") -> QuerySet[Framework]:
    """Frameworks with at least one version `user` may see, each with those versions
    prefetched (newest first)."""
    if not _signed_in(user):
        return Framework.objects.none()
    versions = visible_versions(user)
    frameworks = Framework.objects.filter(pk__in=versions.values("framework_id"))
    if search:
        frameworks = frameworks.filter(
            Q(code__icontains=search) | Q(name_nl__icontains=search) | Q(name_en__icontains=search)
        )
    return frameworks.prefetch_related(
        Prefetch("versions", queryset=versions.order_by("-created_at"), to_attr="visible_versions"),
        "sectors",
    ).order_by("code")


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError) as exc:
        # A malformed UUID raises ValidationError or ValueError: not found as well.
        raise Http404 from exc


def access_framework(user, public_id) -> Framework:
    return _get_or_404(list_frameworks(user), public_id=public_id)


def access_version(user, public_id) -> FrameworkVersion:
    """The version with this public id if `user` may see it, else 404 (missing and hidden alike)."""
    queryset = visible_versions(user).select_related("framework", "framework__maintainer", "derived_from")
    return _get_or_404(queryset, public_id=public_id)


def access_norm(user, public_id) -> Norm:
    queryset = Norm.objects.select_related("domain", "version", "version__framework").filter(
        version__in=visible_versions(user).values("pk")
    )
    return _get_or_404(queryset, public_id=public_id)


def find_version(framework_code: str, label: str) -> FrameworkVersion | None:
    """A version by framework code and label, for the platform itself (commands, imports)."""
    return (
        FrameworkVersion.objects.select_related("framework").filter(framework__code=framework_code, label=label).first()
    )


def norms_of_version(version: FrameworkVersion, *, search: str = "", domain: Domain | None = None) -> QuerySet[Norm]:
    """The norms of a version in display order (domain by domain), each with its domain loaded.

    The version itself must come from `access_version` (or `find_version` for the platform).
    """
    norms = Norm.objects.filter(version=version).select_related("domain")
    if domain is not None:
        norms = norms.filter(domain=domain)
    if search:
        norms = norms.filter(
            Q(code__icontains=search)
            | Q(title_nl__icontains=search)
            | Q(title_en__icontains=search)
            | Q(statement_nl__icontains=search)
            | Q(statement_en__icontains=search)
        )
    return norms.order_by("domain__position", "position")


def domains_with_norms(version: FrameworkVersion, *, search: str = "") -> list[Domain]:
    """The domains of a version in order, each with `.norms.all()` prefetched: two queries
    whatever the number of norms. With `search`, domains without a matching norm are left out."""
    norms = norms_of_version(version, search=search)
    domains = (
        Domain.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("norms", queryset=norms.select_related(None)))
    )
    result = list(domains)
    if search:
        result = [domain for domain in result if domain.norms.all()]
    return result


@dataclass(frozen=True)
class MappedNorm:
    """A norm of another framework mapped to the norm asked about, seen from that norm:
    `relation` reads "the asked norm is <relation> of this one"."""

    norm: Norm
    relation: str

    @property
    def relation_label(self) -> str:
        return str(MappingRelation(self.relation).label)


_INVERSE = {
    MappingRelation.SUBSET: MappingRelation.SUPERSET,
    MappingRelation.SUPERSET: MappingRelation.SUBSET,
}


def mapped_norms(norm: Norm, *, published_only: bool = True) -> list[MappedNorm]:
    """Norms in other framework versions mapped to or from `norm`: the suggestions offered when
    an institution answers `norm` and has answered one of these (or the other way round)."""
    mappings = Mapping.objects.filter(Q(source=norm) | Q(target=norm)).select_related(
        "source__version__framework",
        "source__domain",
        "target__version__framework",
        "target__domain",
    )
    result = []
    for mapping in mappings:
        if mapping.source_id == norm.pk:
            other, relation = mapping.target, mapping.relation
        else:
            other, relation = mapping.source, _INVERSE.get(mapping.relation, mapping.relation)
        if published_only and other.version.status != VersionStatus.PUBLISHED:
            continue
        result.append(MappedNorm(other, str(relation)))
    result.sort(
        key=lambda m: (
            m.norm.version.framework.code,
            m.norm.version.label,
            m.norm.domain.position,
            m.norm.position,
        )
    )
    return result


def mappings_between(version: FrameworkVersion, other: FrameworkVersion) -> list[tuple[int, int, str]]:
    """Every mapping between the norms of two versions as (norm id in `version`, norm id in
    `other`, relation seen from `version`), in one query; for matching answers in bulk."""
    rows = Mapping.objects.filter(
        Q(source__version=version, target__version=other) | Q(source__version=other, target__version=version)
    ).values_list("source_id", "source__version_id", "target_id", "relation")
    result = []
    for source_id, source_version_id, target_id, relation in rows:
        if source_version_id == version.pk:
            result.append((source_id, target_id, relation))
        else:
            result.append((target_id, source_id, str(_INVERSE.get(relation, relation))))
    return result


def _text(nl: str, en: str) -> Text:
    return Text(nl, en) if (nl or en) else EMPTY


def _json_text(value: dict | None) -> Text:
    value = value or {}
    return _text(value.get("nl", ""), value.get("en", ""))


def norm_data(norm: Norm) -> NormData:
    """A stored norm as the plain data the file formats and the diff work on."""
    return NormData(
        code=norm.code,
        title=_text(norm.title_nl, norm.title_en),
        statement=_text(norm.statement_nl, norm.statement_en),
        rationale=_text(norm.rationale_nl, norm.rationale_en),
        levels=tuple(_json_text(norm.levels.get(str(level))) for level in LEVELS) if norm.levels else (),
        target_measures=tuple(_json_text(measure) for measure in norm.target_measures or []),
        references=tuple(norm.references or []),
        id_confirmed=norm.id_confirmed,
    )


def version_as_catalogue(version: FrameworkVersion) -> Catalogue:
    """A stored version as a `Catalogue`, ready to export or compare (three queries)."""
    framework = version.framework
    info = FrameworkInfo(
        code=framework.code,
        name=_text(framework.name_nl, framework.name_en),
        owner=framework.owner,
        sectors=tuple(framework.sectors.order_by("id").values_list("code", flat=True)),
        description=_text(framework.description_nl, framework.description_en),
    )
    version_info = VersionInfo(
        label=version.label,
        released=version.released,
        scored=version.scored,
        source_note=_text(version.source_note_nl, version.source_note_en),
    )
    domains = []
    for domain in domains_with_norms(version):
        domains.append(
            DomainData(
                code=domain.code,
                title=_text(domain.title_nl, domain.title_en),
                part=domain.part,
                description=_text(domain.description_nl, domain.description_en),
                norms=tuple(norm_data(norm) for norm in domain.norms.all()),
            )
        )
    return Catalogue(info, version_info, tuple(domains))


def diff_versions(old: FrameworkVersion, new: FrameworkVersion) -> VersionDiff:
    return diff_catalogues(version_as_catalogue(old), version_as_catalogue(new))
