"""Advisories (CSAF 2.0) and the software of each institution they are matched to.

Who reads an advisory follows its TLP 2.0 label (DESIGN rule 5), with the organisation that took
it in or wrote it (its owner, normally a CERT) as the source:

- CLEAR and GREEN: every signed-in member of the sector community;
- AMBER: the owner and the organisations of its constituency (the sectors it serves);
- AMBER+STRICT: the owner's own people only;
- RED: only the people named on it.

Exposures, answers and inventories belong to one institution and are read through the ordinary
organisation reach (`Action.ADVISORY_VIEW`), and only for advisories the reader may read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.advisories.choices import AnswerState, MatchTier, Source, Tlp
from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import ScopedQuerySet, visible_organisations
from weerbaar.incidents.choices import IndicatorType
from weerbaar.organisations.models import Membership, Organisation

SHARED_TLPS = (Tlp.CLEAR, Tlp.GREEN)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class AdvisoryQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=Action.ADVISORY_VIEW):
        """Advisories whose TLP label lets the user read them."""
        if not _signed_in(user):
            return self.none()
        held = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        own_orgs = held.values("organisation_id")
        # The organisations whose advisories reach this user under AMBER: its own, and every
        # CERT serving the sector of an organisation the user may read advisories for.
        reached = visible_organisations(user, Action.ADVISORY_VIEW)
        serving = Organisation.objects.filter(served_sectors__in=reached.values("sector_id")).values("pk")
        # CLEAR and GREEN: anyone who belongs to an organisation of the community.
        community = Q(tlp__in=SHARED_TLPS) if held.exists() else Q(pk__in=[])
        return self.filter(
            community
            | (Q(tlp=Tlp.AMBER) & (Q(owner__in=own_orgs) | Q(owner__in=serving)))
            | (Q(tlp=Tlp.AMBER_STRICT) & Q(owner__in=own_orgs))
            | (Q(tlp=Tlp.RED) & (Q(recipients=user) | Q(created_by=user)))
        ).distinct()


class Provider(PublicIdModel, TimestampedModel):
    """A CSAF provider whose advisories are fetched on a schedule, for the CERT that owns it."""

    tenant_field = "owner"

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="csaf_providers")
    name = models.CharField(_("name"), max_length=200)
    metadata_url = models.URLField(_("provider-metadata.json address"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    # The newest `current_release_date` taken in: the next run reads changes.csv / ROLIE entries
    # newer than this only.
    cursor = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_imported = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "metadata_url"], name="advisories_provider_unique")]

    def __str__(self) -> str:
        return self.name


class Advisory(PublicIdModel, TimestampedModel):
    """One advisory, in the newest version taken in; the raw CSAF document is kept as received."""

    tenant_field = "owner"

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="advisories")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people who may read it (TLP:RED)")
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    provider = models.ForeignKey(Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    publisher_name = models.CharField(_("publisher"), max_length=300)
    publisher_namespace = models.CharField(max_length=500)
    tracking_id = models.CharField(_("advisory id"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    status = models.CharField(_("status"), max_length=16)
    category = models.CharField(max_length=100)
    title = models.CharField(_("title"), max_length=500)
    lang = models.CharField(max_length=20, blank=True)
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, db_index=True)
    initial_release = models.DateTimeField(_("first published"))
    current_release = models.DateTimeField(_("last changed"), db_index=True)
    cves = models.JSONField(default=list, blank=True)
    cvss_max = models.DecimalField(_("highest CVSS score"), max_digits=3, decimal_places=1, null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=40, blank=True)
    kans = models.CharField(_("likelihood (NCSC)"), max_length=200, blank=True)
    schade = models.CharField(_("damage (NCSC)"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    remediations = models.JSONField(default=list, blank=True)
    exploited = models.BooleanField(_("actively exploited"), default=False)
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["-current_release"]
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        constraints = [
            models.UniqueConstraint(fields=["publisher_namespace", "tracking_id"], name="advisories_unique_tracking")
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id} {self.title}"


class AdvisoryProduct(models.Model):
    """A product the advisory says is affected, with the normalised keys it is matched by."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="products")
    product_id = models.CharField(max_length=200)
    name = models.CharField(max_length=500)
    vendor = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=300, blank=True)
    cpe = models.CharField(max_length=500, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    purl_key = models.CharField(max_length=300, blank=True)
    cpe_key = models.CharField(max_length=300, blank=True)
    name_key = models.CharField(max_length=300, blank=True)
    version_range = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20)

    class Meta:
        ordering = ["vendor", "product", "product_id"]

    def __str__(self) -> str:
        return self.name


class InventoryQuerySet(ScopedQuerySet):
    pass


class InventoryItem(PublicIdModel, TimestampedModel):
    """One piece of software or one service an institution uses."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="inventory", db_index=False)
    vendor = models.CharField(_("vendor"), max_length=200)
    product = models.CharField(_("product"), max_length=300)
    version = models.CharField(_("version"), max_length=100, blank=True)
    cpe = models.CharField(_("CPE"), max_length=500, blank=True)
    purl = models.CharField(_("package URL (PURL)"), max_length=1000, blank=True)
    # Normalised keys (matching.py): an advisory finds its candidates by them (see Meta.indexes).
    purl_key = models.CharField(max_length=300, blank=True)
    cpe_key = models.CharField(max_length=300, blank=True)
    name_key = models.CharField(max_length=300)
    # matching.sort_key() of the version: '' for none, NULL when it has no such key (then the
    # version is compared in Python), so range checks run in the database.
    version_sort = models.CharField(max_length=200, null=True, blank=True, editable=False)

    objects = InventoryQuerySet.as_manager()

    class Meta:
        ordering = ["vendor", "product", "version"]
        verbose_name = _("inventory item")
        verbose_name_plural = _("inventory items")
        # One index per key the matcher looks items up by, holding everything the match reads
        # (sort key, organisation, id): a sector-wide advisory's tens of thousands of candidates
        # come from the index alone, without reading an inventory row for each. Most items have
        # no PURL or no CPE, so those two index only the items that have one. The organisation's
        # index holds the id as well: PostgreSQL checks an exposure's organisation on it alone.
        indexes = [
            models.Index(fields=["organisation", "id"], name="advisories_item_organisation"),
            models.Index(fields=["name_key", "version_sort", "organisation", "id"], name="advisories_item_by_name"),
            models.Index(
                fields=["purl_key", "version_sort", "organisation", "id"],
                condition=~Q(purl_key=""),
                name="advisories_item_by_purl",
            ),
            models.Index(
                fields=["cpe_key", "version_sort", "organisation", "id"],
                condition=~Q(cpe_key=""),
                name="advisories_item_by_cpe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.product} {self.version}".strip()


class ExposureQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=Action.ADVISORY_VIEW):
        return super().visible_to(user, action).filter(advisory__in=Advisory.objects.visible_to(user).values("pk"))


class Exposure(models.Model):
    """An inventory item an advisory matches, with how sure the match is."""

    tenant_field = "organisation"

    # Few indexes, as a sector-wide advisory writes tens of thousands of rows at once: advisory and
    # organisation are covered by the two composite indexes, products go with their advisory.
    # No foreign-key constraints: PostgreSQL checks those row by row, locking every inventory row
    # an exposure names, which was most of the time (and WAL) of a sector-wide match. On
    # PostgreSQL, statement-level triggers (migration 0003) give the same guarantees for all the
    # rows of a statement at once: item and product exist, organisation and advisory are theirs,
    # and an item or product that exposures name cannot be removed or moved. Django's cascades
    # remove exposures with their item, product, advisory or organisation on both engines.
    # See docs/architecture.md.
    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="exposures", db_index=False, db_constraint=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    item = models.ForeignKey(InventoryItem, on_delete=models.CASCADE, related_name="exposures", db_constraint=False)
    product = models.ForeignKey(
        AdvisoryProduct, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    tier = models.PositiveSmallIntegerField(choices=MatchTier.choices)
    found_at = models.DateTimeField()

    objects = ExposureQuerySet.as_manager()

    class Meta:
        ordering = ["tier"]
        constraints = [models.UniqueConstraint(fields=["advisory", "item"], name="advisories_exposure_unique")]
        indexes = [models.Index(fields=["organisation", "advisory"], name="advisories_exposure_org")]

    def __str__(self) -> str:
        return f"{self.advisory_id} × {self.item_id} ({self.tier})"


class AnswerQuerySet(ExposureQuerySet):
    pass


class Answer(PublicIdModel, TimestampedModel):
    """An institution's answer to an advisory."""

    tenant_field = "organisation"

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("answer"), max_length=16, choices=AnswerState.choices)
    patched_on = models.DateField(_("patched on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    first_answered_at = models.DateTimeField()

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["advisory", "organisation"], name="advisories_answer_unique")]

    def __str__(self) -> str:
        return self.state


class Notification(models.Model):
    """A message to one IBP officer about a high-risk match; one per person, advisory and
    organisation, so a recomputed match never repeats it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "advisory"], name="advisories_notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.advisory_id}"


class SharedIndicatorQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=Action.ADVISORY_VIEW):
        """Indicators under the same TLP rules as advisories; TLP:RED ones are never published in
        a feed (no bulk export of RED), so they are left out here."""
        if not _signed_in(user):
            return self.none()
        held = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        if not held.exists():
            return self.none()
        own_orgs = held.values("organisation_id")
        reached = visible_organisations(user, Action.ADVISORY_VIEW)
        serving = Organisation.objects.filter(served_sectors__in=reached.values("sector_id")).values("pk")
        return self.filter(
            Q(tlp__in=SHARED_TLPS)
            | (Q(tlp=Tlp.AMBER) & (Q(owner__in=own_orgs) | Q(owner__in=serving)))
            | (Q(tlp=Tlp.AMBER_STRICT) & Q(owner__in=own_orgs))
        ).distinct()


class SharedIndicator(PublicIdModel, TimestampedModel):
    """An indicator of compromise a CERT shares with the sector, from an advisory, an incident,
    or an imported STIX bundle or MISP event."""

    tenant_field = "owner"

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shared_indicators")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators")
    type = models.CharField(_("type"), max_length=16, choices=IndicatorType.choices)
    value = models.CharField(_("value"), max_length=2000)
    description = models.TextField(_("description"), blank=True)
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, db_index=True)
    source = models.CharField(_("source"), max_length=16)

    objects = SharedIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "type", "value", "tlp"], name="advisories_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.value}"
