"""What changed between two versions of a framework (pure: works on `Catalogue` data).

Norms are matched by code. A norm whose code changed shows as removed and added: the code is
what assessments and mappings refer to.
"""

from dataclasses import dataclass

from weerbaar.frameworks.catalogue_format import Catalogue, DomainData, NormData
from weerbaar.frameworks.choices import LEVELS

NORM_FIELDS = ("title", "statement", "rationale", "target_measures", "references", "id_confirmed")


@dataclass(frozen=True)
class NormChange:
    code: str
    before: NormData
    after: NormData
    domain_before: str
    domain_after: str
    # Which fields differ: "title", "statement", "rationale", "level_1".."level_5",
    # "target_measures", "references", "id_confirmed", "domain".
    fields: tuple[str, ...]


@dataclass(frozen=True)
class PlacedNorm:
    domain: DomainData
    norm: NormData


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[PlacedNorm, ...]
    removed: tuple[PlacedNorm, ...]
    changed: tuple[NormChange, ...]
    unchanged_count: int
    domains_added: tuple[str, ...]
    domains_removed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.domains_added or self.domains_removed)


def changed_fields(before: NormData, after: NormData) -> list[str]:
    fields = [name for name in NORM_FIELDS if getattr(before, name) != getattr(after, name)]
    if before.levels != after.levels:
        if len(before.levels) != len(after.levels):
            fields += [f"level_{level}" for level in LEVELS]
        else:
            fields += [
                f"level_{level}"
                for level, old, new in zip(LEVELS, before.levels, after.levels, strict=True)
                if old != new
            ]
    return fields


def diff_catalogues(old: Catalogue, new: Catalogue) -> VersionDiff:
    """Norms added, removed and changed going from `old` to `new`, in the order of `new`
    (removed ones in the order of `old`)."""
    old_norms = {norm.code: PlacedNorm(domain, norm) for domain, norm in old.norms()}
    new_norms = {norm.code: PlacedNorm(domain, norm) for domain, norm in new.norms()}
    added = tuple(placed for code, placed in new_norms.items() if code not in old_norms)
    removed = tuple(placed for code, placed in old_norms.items() if code not in new_norms)
    changed = []
    unchanged = 0
    for code, after in new_norms.items():
        before = old_norms.get(code)
        if before is None:
            continue
        fields = changed_fields(before.norm, after.norm)
        if before.domain.code != after.domain.code:
            fields.append("domain")
        if fields:
            changed.append(
                NormChange(
                    code,
                    before.norm,
                    after.norm,
                    before.domain.code,
                    after.domain.code,
                    tuple(fields),
                )
            )
        else:
            unchanged += 1
    old_domains = [domain.code for domain in old.domains]
    new_domains = [domain.code for domain in new.domains]
    return VersionDiff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        unchanged_count=unchanged,
        domains_added=tuple(code for code in new_domains if code not in old_domains),
        domains_removed=tuple(code for code in old_domains if code not in new_domains),
    )
