"""Reads of the privacy app, always scoped: the catalogue through its stewards' sectors, an
organisation's own records through the reach of core.permissions. Counts across organisations
are shown only under the benchmark's anonymity rules (monitor.benchmark)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import access, visible_organisations
from weerbaar.incidents import selectors as incident_selectors
from weerbaar.incidents.choices import IncidentStatus
from weerbaar.monitor.benchmark import publishable, suppress_differencing
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation
from weerbaar.privacy.choices import CentralStatus, LocalStatus, VendorMeasureStatus
from weerbaar.privacy.models import (
    Breach,
    CentralDPIA,
    LocalDPIA,
    PrivacyNotice,
    ProcessingActivity,
    Product,
    ProductUse,
    Vendor,
    VendorMeasure,
)

# --- catalogue -----------------------------------------------------------------------------------


def stewards_of(user) -> QuerySet[Organisation]:
    """Sector organisations whose catalogue the user keeps."""
    return visible_organisations(user, Action.PRIVACY_CATALOGUE).filter(kind=OrganisationKind.SECTOR_ORGANISATION)


def stewards_for(organisation: Organisation) -> QuerySet[Organisation]:
    """The stewards whose catalogue serves an organisation's sector."""
    return Organisation.objects.filter(
        kind=OrganisationKind.SECTOR_ORGANISATION, served_sectors=organisation.sector_id, is_active=True
    )


def catalogue_for(organisation: Organisation) -> QuerySet[Product]:
    """Products an organisation may use: those in the catalogues serving its sector."""
    return Product.objects.filter(steward__in=stewards_for(organisation).values("pk"))


def current_dpia_filter(today: date, prefix: str = "") -> Q:
    """A local DPIA that counts as current: accepted, not flagged, review not overdue."""
    return Q(**{f"{prefix}status": LocalStatus.ACCEPTED, f"{prefix}needs_review": False}) & (
        Q(**{f"{prefix}review_due__isnull": True}) | Q(**{f"{prefix}review_due__gte": today})
    )


def _count(queryset: QuerySet, group_field: str, count_field: str) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_field).annotate(n=Count(count_field, distinct=True)).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def list_products(user, *, search: str = "", steward: Organisation | None = None) -> QuerySet[Product]:
    """The catalogue as the user may read it, each product with its usage counts, newest central
    DPIA and whether one of the user's organisations uses it: one query whatever the size."""
    today = timezone.localdate()
    latest = CentralDPIA.objects.filter(product=OuterRef("pk"), status=CentralStatus.PUBLISHED).order_by("-number")
    own = visible_organisations(user, Action.PRIVACY_VIEW).values("pk")
    products = (
        Product.objects.visible_to(user, Action.PRIVACY_VIEW)
        .select_related("vendor", "steward")
        .annotate(
            use_count=_count(ProductUse.objects.filter(product=OuterRef("pk")), "product", "organisation"),
            current_count=_count(
                LocalDPIA.objects.filter(
                    current_dpia_filter(today),
                    product=OuterRef("pk"),
                    organisation__product_uses__product=OuterRef("pk"),
                ),
                "product",
                "organisation",
            ),
            central_advice=Subquery(latest.values("advice")[:1]),
            central_id=Subquery(latest.values("public_id")[:1]),
            central_number=Subquery(latest.values("number")[:1]),
            used_by_me=Exists(ProductUse.objects.filter(product=OuterRef("pk"), organisation__in=own)),
        )
    )
    if steward is not None:
        products = products.filter(steward=steward)
    if search:
        products = products.filter(Q(name__icontains=search) | Q(vendor__name__icontains=search) | Q(code=search))
    return products.order_by("name", "edition", "version", "pk")


@dataclass(frozen=True)
class Counts:
    """Anonymised counts of one product: None means suppressed (too few organisations)."""

    users: int | None
    current: int | None


def anonymised_counts(users: int, current: int, min_group: int | None = None) -> Counts:
    """The benchmark's rules on one product: the number of users is shown only for a group of
    at least min_group + 1; the number with a current DPIA only when it is itself such a group
    and does not differ from the users by 1 to min_group - 1 (which would single those out)."""
    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    # The rules work on member sets; the organisations with a current DPIA are among the users.
    groups = {"users": frozenset(range(users)), "current": frozenset(range(current))}
    hidden = suppress_differencing(groups, min_group, fixed=frozenset({"users"}))
    shown_users = users if publishable(users, min_group) else None
    shown_current = current if shown_users is not None and "current" not in hidden else None
    return Counts(users=shown_users, current=shown_current)


def access_product(user, public_id, action: Action = Action.PRIVACY_VIEW) -> Product:
    return access(Product.objects.select_related("vendor", "steward"), user, action, public_id=public_id)


def vendors_of(user, action: Action = Action.PRIVACY_VIEW) -> QuerySet[Vendor]:
    return Vendor.objects.visible_to(user, action)


def central_versions(user, product: Product) -> QuerySet[CentralDPIA]:
    return CentralDPIA.objects.visible_to(user, Action.PRIVACY_VIEW).filter(product=product).order_by("-number")


def readable_centrals(user) -> QuerySet[CentralDPIA]:
    """Central DPIAs the user may read: published and older versions for everyone in the
    sectors, drafts only for the steward's coordinators."""
    keeper = CentralDPIA.objects.visible_to(user, Action.PRIVACY_CATALOGUE).values("pk")
    return CentralDPIA.objects.visible_to(user, Action.PRIVACY_VIEW).filter(
        ~Q(status=CentralStatus.DRAFT) | Q(pk__in=keeper)
    )


def access_central(user, public_id, action: Action = Action.PRIVACY_VIEW) -> CentralDPIA:
    queryset = CentralDPIA.objects.select_related("product__vendor", "product__steward")
    if action == Action.PRIVACY_VIEW:
        try:
            return (
                readable_centrals(user).select_related("product__vendor", "product__steward").get(public_id=public_id)
            )
        except (CentralDPIA.DoesNotExist, ValidationError, ValueError) as exc:
            raise Http404 from exc
    return access(queryset, user, action, public_id=public_id)


def newest_published(product: Product) -> CentralDPIA | None:
    return product.central_dpias.filter(status=CentralStatus.PUBLISHED).order_by("-number").first()


def overdue_vendor_measures(user, today: date | None = None) -> QuerySet[VendorMeasure]:
    """Measures vendors promised in published central DPIAs whose date has passed."""
    today = today or timezone.localdate()
    return (
        VendorMeasure.objects.filter(
            central__in=readable_centrals(user).filter(status=CentralStatus.PUBLISHED).values("pk"),
            due_on__lt=today,
        )
        .exclude(status=VendorMeasureStatus.DONE)
        .select_related("central__product")
        .order_by("due_on")
    )


def needing_central_dpia(user, limit: int = 20) -> tuple[list[Product], int]:
    """For a coordinator: the products of its catalogue without a published central DPIA, most
    used first. Only products used by a publishable group are ranked; the number of the rest is
    given without names of organisations or counts."""
    products = list_products(user).filter(steward__in=stewards_of(user).values("pk"), central_number__isnull=True)
    min_group = settings.BENCHMARK_MIN_GROUP
    ranked = [p for p in products.order_by("-use_count", "name") if publishable(p.use_count, min_group)]
    rest = products.filter(use_count__gt=0).count() - len(ranked)
    return ranked[:limit], rest


# --- the organisation's own records --------------------------------------------------------------


def privacy_organisations(user, action: Action = Action.PRIVACY_VIEW) -> QuerySet[Organisation]:
    return visible_organisations(user, action).exclude(
        kind__in=[OrganisationKind.SECTOR_ORGANISATION, OrganisationKind.CERT]
    )


def access_privacy_organisation(user, public_id, action: Action = Action.PRIVACY_VIEW) -> Organisation:
    try:
        return privacy_organisations(user, action).get(public_id=public_id)
    except (Organisation.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def uses_of(user, organisation: Organisation) -> QuerySet[ProductUse]:
    return (
        ProductUse.objects.visible_to(user, Action.PRIVACY_VIEW)
        .filter(organisation=organisation)
        .select_related("product__vendor")
    )


def access_use(user, public_id, action: Action = Action.PRIVACY_EDIT) -> ProductUse:
    return access(ProductUse.objects.select_related("product", "organisation"), user, action, public_id=public_id)


def local_dpias(user, organisation: Organisation | None = None) -> QuerySet[LocalDPIA]:
    dpias = LocalDPIA.objects.visible_to(user, Action.PRIVACY_VIEW).select_related("organisation", "product", "central")
    if organisation is not None:
        dpias = dpias.filter(organisation=organisation)
    return dpias.order_by("title", "-number")


def access_local(user, public_id, action: Action = Action.PRIVACY_VIEW) -> LocalDPIA:
    return access(
        LocalDPIA.objects.select_related(
            "organisation", "product__vendor", "central", "advised_by", "accepted_by", "previous"
        ),
        user,
        action,
        public_id=public_id,
    )


def is_current(dpia: LocalDPIA, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        dpia.status == LocalStatus.ACCEPTED
        and not dpia.needs_review
        and (dpia.review_due is None or dpia.review_due >= today)
    )


def is_dpo_for(user, organisation: Organisation) -> bool:
    """Whether the user is the DPO of the organisation or of its board."""
    ids = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    return Membership.objects.filter(
        user=user, role=Role.DPO, is_active=True, organisation_id__in=ids, organisation__is_active=True
    ).exists()


def activities_of(user, organisation: Organisation) -> QuerySet[ProcessingActivity]:
    return (
        ProcessingActivity.objects.visible_to(user, Action.PRIVACY_VIEW)
        .filter(organisation=organisation)
        .select_related("covering_dpia")
        .prefetch_related("processors")
        .order_by("name")
    )


def access_activity(user, public_id, action: Action = Action.PRIVACY_VIEW) -> ProcessingActivity:
    return access(
        ProcessingActivity.objects.select_related("organisation", "covering_dpia"), user, action, public_id=public_id
    )


def notices_for(user, limit: int = 10) -> list[PrivacyNotice]:
    return list(PrivacyNotice.objects.visible_to(user, Action.PRIVACY_VIEW).select_related("central__product")[:limit])


# --- breach register -----------------------------------------------------------------------------


@dataclass
class BreachRow:
    """A line of the breach register: a recorded breach, or an incident with personal data on
    which the DPO has not yet recorded a decision."""

    breach: Breach | None
    incident: object | None

    @property
    def title(self) -> str:
        return self.breach.title if self.breach else self.incident.title

    @property
    def discovered_on(self) -> date | None:
        if self.breach:
            return self.breach.discovered_on
        return incident_date(self.incident)


def incident_date(incident) -> date | None:
    moment = incident.aware_at or incident.detected_at or incident.submitted_at or incident.created_at
    return timezone.localdate(moment) if moment else None


def breaches_of(user, organisation: Organisation) -> QuerySet[Breach]:
    return (
        Breach.objects.visible_to(user, Action.PRIVACY_VIEW)
        .filter(organisation=organisation)
        .select_related("incident")
    )


def undecided_incidents(user, organisation: Organisation) -> QuerySet:
    """Incidents of the organisation involving personal data that the user may read on the
    incident desk and that have no register entry yet."""
    if not privacy_organisations(user).filter(pk=organisation.pk).exists():
        return incident_selectors.list_incidents(user).none()
    return (
        incident_selectors.list_incidents(user, organisation=organisation)
        .filter(personal_data_involved=True, breach__isnull=True)
        .exclude(status=IncidentStatus.DRAFT)
    )


def breach_register(user, organisation: Organisation) -> list[BreachRow]:
    """Every breach once: recorded entries (with or without an incident) and the incidents with
    personal data still waiting for a decision."""
    rows = [BreachRow(breach=b, incident=b.incident) for b in breaches_of(user, organisation)]
    rows += [BreachRow(breach=None, incident=i) for i in undecided_incidents(user, organisation)]
    rows.sort(key=lambda r: r.discovered_on or date.min, reverse=True)
    return rows


def access_breach(user, public_id, action: Action = Action.PRIVACY_VIEW) -> Breach:
    return access(Breach.objects.select_related("organisation", "incident"), user, action, public_id=public_id)


def access_breach_incident(user, public_id):
    """An incident with personal data that the user may read and record decisions on."""
    incident = incident_selectors.access_incident(user, public_id)
    if not incident.personal_data_involved or incident.is_draft:
        raise Http404
    if not privacy_organisations(user, Action.PRIVACY_EDIT).filter(pk=incident.organisation_id).exists():
        raise Http404
    return incident


def served_by(product: Product) -> QuerySet:
    """Ids of the organisations in the sectors the product's steward serves."""
    return Organisation.objects.filter(sector__serving_organisations=product.steward_id).values("pk")


def uses_of_product(user, product: Product) -> QuerySet[ProductUse]:
    """The user's own organisations' use of a product (never other organisations')."""
    return (
        ProductUse.objects.visible_to(user, Action.PRIVACY_VIEW).filter(product=product).select_related("organisation")
    )


def keeper_centrals(user) -> QuerySet:
    return CentralDPIA.objects.visible_to(user, Action.PRIVACY_CATALOGUE).values("pk")
