"""Scoped reads of the advisories app: advisories as each person may read them (TLP), an
institution's exposures, inventory and answers, the product catalogue for suggestions and the
CERT's constituency view, which counts institutions and never names one."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from weerbaar.advisories.choices import AnswerState
from weerbaar.advisories.models import Advisory, AdvisoryProduct, Answer, Exposure, InventoryItem, Notification
from weerbaar.core.permissions import Action, Reach, roles_allowing
from weerbaar.core.tenancy import visible_organisations
from weerbaar.organisations.models import Membership, Organisation

# A product from other institutions' inventories is suggested only when at least this many
# organisations use it, so a suggestion never tells who uses a rare product.
CATALOGUE_MIN_ORGANISATIONS = 5


def readable_advisories(user) -> QuerySet:
    return Advisory.objects.visible_to(user)


def advisory_list(user, *, matched_only: bool = False, query: str = "") -> QuerySet:
    """Advisories the user may read, those that match one of the user's own organisations first,
    newest first within each group."""
    mine = Exposure.objects.visible_to(user, Action.ADVISORY_VIEW).filter(advisory=OuterRef("pk"))
    qs = readable_advisories(user).annotate(matches_me=Exists(mine))
    if matched_only:
        qs = qs.filter(matches_me=True)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(tracking_id__icontains=query) | Q(cves__icontains=query))
    return qs.order_by("-matches_me", "-current_release")


def advisory_for(user, public_id) -> Advisory:
    from weerbaar.core.tenancy import access

    return access(Advisory.objects.all(), user, Action.ADVISORY_VIEW, public_id=public_id)


def exposures_of(user, advisory: Advisory) -> QuerySet:
    """The user's own organisations' matches of this advisory (never another institution's)."""
    return (
        Exposure.objects.visible_to(user, Action.ADVISORY_VIEW)
        .filter(advisory=advisory, organisation__in=answerable_or_own(user).values("pk"))
        .select_related("item", "organisation", "product")
        .order_by("organisation__name", "tier")
    )


def answerable_or_own(user) -> QuerySet:
    """Organisations the user reads as their own institution (own and, for a board, its schools),
    as opposed to a CERT's constituency."""
    roles = [r for r, reach in roles_allowing(Action.ADVISORY_VIEW).items() if reach in (Reach.OWN, Reach.TREE)]
    tree = [r for r, reach in roles_allowing(Action.ADVISORY_VIEW).items() if reach == Reach.TREE]
    held = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
    return Organisation.objects.filter(
        Q(pk__in=held.filter(role__in=roles).values("organisation_id"))
        | Q(parent_id__in=held.filter(role__in=tree).values("organisation_id")),
        is_active=True,
    )


def answering_organisations(user) -> QuerySet:
    return visible_organisations(user, Action.ADVISORY_ACKNOWLEDGE)


def answers_of(user, advisory: Advisory) -> QuerySet:
    return (
        Answer.objects.visible_to(user, Action.ADVISORY_VIEW)
        .filter(advisory=advisory, organisation__in=answerable_or_own(user).values("pk"))
        .select_related("organisation")
    )


def inventory_of(user, organisation: Organisation) -> QuerySet:
    return InventoryItem.objects.visible_to(user, Action.ADVISORY_VIEW).filter(organisation=organisation)


def inventory_organisations(user) -> QuerySet:
    return answerable_or_own(user).filter(pk__in=visible_organisations(user, Action.ADVISORY_VIEW).values("pk"))


def notifications_of(user) -> QuerySet:
    return Notification.objects.filter(user=user, advisory__in=readable_advisories(user).values("pk")).select_related(
        "advisory", "organisation"
    )


def catalogue(user, query: str, limit: int = 20) -> list[tuple[str, str]]:
    """(vendor, product) suggestions: products of advisories everyone may read, and products that
    at least CATALOGUE_MIN_ORGANISATIONS organisations list."""
    query = query.strip()
    if len(query) < 2:
        return []
    from_advisories = (
        AdvisoryProduct.objects.filter(advisory__tlp__in=("clear", "green"))
        .filter(Q(vendor__icontains=query) | Q(product__icontains=query))
        .values_list("vendor", "product")
        .distinct()[:limit]
    )
    common = (
        InventoryItem.objects.filter(Q(vendor__icontains=query) | Q(product__icontains=query))
        .values("name_key")
        .annotate(users=Count("organisation", distinct=True))
        .filter(users__gte=CATALOGUE_MIN_ORGANISATIONS)
        .values_list("name_key", flat=True)[:limit]
    )
    found = {(v, p) for v, p in from_advisories}
    for key in common:
        vendor, _, product = key.partition("|")
        found.add((vendor.title(), product.title()))
    return sorted(found)[:limit]


# --- the CERT's view ------------------------------------------------------------------------------


def constituency(user) -> QuerySet:
    """Organisations the user reaches as a CERT (constituency reach), not as their own."""
    roles = [r for r, reach in roles_allowing(Action.ADVISORY_VIEW).items() if reach == Reach.CONSTITUENCY]
    if not Membership.objects.filter(user=user, is_active=True, role__in=roles).exists():
        return Organisation.objects.none()
    return visible_organisations(user, Action.ADVISORY_VIEW)


@dataclass
class ExposureCounts:
    affected: int = 0
    possibly: int = 0
    answered: int = 0
    not_affected: int = 0
    mitigating: int = 0
    patched: int = 0
    timeline: list[tuple[date, int, int, int]] = field(default_factory=list)

    @property
    def open(self) -> int:
        return max(self.affected - self.answered, 0)


def constituency_exposure(user, advisory: Advisory) -> ExposureCounts | None:
    """How many institutions of the CERT's constituency this advisory matches, how many answered
    and patched, and the cumulative counts per day. None for someone who is no CERT of it.
    Only counts: a CERT sees no names here, and nothing of this reaches an institution."""
    reach = constituency(user)
    if not reach.exists():
        return None
    exposures = Exposure.objects.filter(advisory=advisory, organisation__in=reach.values("pk"))
    first_found: dict[int, tuple] = {}
    for org_id, found_at, tier in exposures.values_list("organisation_id", "found_at", "tier"):
        previous = first_found.get(org_id)
        first_found[org_id] = (
            min(found_at, previous[0]) if previous else found_at,
            min(tier, previous[1]) if previous else tier,
        )
    counts = ExposureCounts(
        affected=sum(1 for _f, tier in first_found.values() if tier < 4),
        possibly=sum(1 for _f, tier in first_found.values() if tier == 4),
    )
    answers = list(
        Answer.objects.filter(advisory=advisory, organisation_id__in=list(first_found)).values_list(
            "state", "first_answered_at", "patched_on"
        )
    )
    states = Counter(state for state, _a, _p in answers)
    counts.answered = len(answers)
    counts.not_affected = states[AnswerState.NOT_AFFECTED]
    counts.mitigating = states[AnswerState.MITIGATING]
    counts.patched = states[AnswerState.PATCHED]
    days = sorted(
        {f.date() for f, _t in first_found.values()}
        | {a.date() for _s, a, _p in answers}
        | {p for _s, _a, p in answers if p}
    )
    for day in days:
        counts.timeline.append(
            (
                day,
                sum(1 for f, _t in first_found.values() if f.date() <= day),
                sum(1 for _s, a, _p in answers if a.date() <= day),
                sum(1 for s, _a, p in answers if s == AnswerState.PATCHED and p and p <= day),
            )
        )
    return counts


def feed_indicators(user, tlp: str) -> list:
    """The indicators of one TLP level the user may read, as the feeds publish them."""
    from weerbaar.advisories.iocs import Shared
    from weerbaar.advisories.models import SharedIndicator

    rows = (
        SharedIndicator.objects.visible_to(user)
        .filter(tlp=tlp)
        .select_related("advisory")
        .order_by("created_at", "pk")[:50_000]
    )
    return [
        Shared(
            public_id=row.public_id,
            type=row.type,
            value=row.value,
            description=row.description,
            tlp=row.tlp,
            created_at=row.created_at,
            group=row.advisory.tracking_id if row.advisory_id else "",
            group_title=row.advisory.title if row.advisory_id else "",
        )
        for row in rows
    ]
