"""Privacy: the product catalogue and central DPIAs that a sector organisation keeps for its
sectors, and what belongs to one organisation: the products it uses, its local DPIAs, its
processing register (GDPR Art. 30) and its breach register (Art. 33(5)).

Two kinds of scoping:

- The catalogue (vendors, products, central DPIAs) is kept by a sector service organisation, its
  *steward*. Every organisation in a sector the steward serves may read it; only the steward's
  coordinators may change it (Action.PRIVACY_CATALOGUE).
- Everything else belongs to one organisation (DESIGN rule 1) and is read through the reach of
  core.permissions (PRIVACY_VIEW, PRIVACY_EDIT, PRIVACY_ACCEPT).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import ScopedQuerySet, visible_organisations
from weerbaar.organisations.models import Organisation, Sector
from weerbaar.privacy.choices import (
    RISK_COLOURS,
    CentralStatus,
    ChangeKind,
    CovenantStatus,
    Decision,
    DpiaNeed,
    LegalBasis,
    LocalStatus,
    RiskLevel,
    Scale,
    SchoolMeasureKind,
    SpecialCondition,
    VendorMeasureStatus,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def reader_stewards(user) -> models.QuerySet:
    """The stewards whose catalogue `user` may read: those serving a sector in which the user
    reaches an organisation for PRIVACY_VIEW, and the user's own stewards."""
    own = visible_organisations(user, Action.PRIVACY_CATALOGUE).values("pk")
    sectors = Sector.objects.filter(
        Q(organisations__in=visible_organisations(user, Action.PRIVACY_VIEW).values("pk"))
        | Q(serving_organisations__in=own)
    ).values("pk")
    return Organisation.objects.filter(Q(served_sectors__in=sectors) | Q(pk__in=own)).values("pk")


class CatalogueQuerySet(ScopedQuerySet):
    """Catalogue records: readable in the steward's sectors, changed by the steward only."""

    def visible_to(self, user, action):
        if not _signed_in(user):
            return self.none()
        field = self.model.tenant_field
        if action == Action.PRIVACY_CATALOGUE:
            return self.filter(**{f"{field}__in": visible_organisations(user, action).values("pk")})
        if action != Action.PRIVACY_VIEW:
            return self.none()
        return self.filter(**{f"{field}__in": reader_stewards(user)})


class Vendor(PublicIdModel, TimestampedModel):
    """A supplier of products used in education."""

    tenant_field = "steward"

    steward = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="catalogue_vendors", verbose_name=_("kept by")
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country of the head office"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [models.UniqueConstraint(fields=["steward", "name"], name="privacy_vendor_unique_name")]

    def __str__(self) -> str:
        return self.name


class Product(PublicIdModel, TimestampedModel):
    """One product (edition and version) with what a DPO needs to judge it.

    Locations, transfers, sub-processors, trackers and advertising recipients are short lists
    that are always read and written with the product, so they are kept as JSON lists checked by
    the services (see catalogue_format.py for their shape)."""

    tenant_field = "steward"

    steward = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="catalogue_products", verbose_name=_("kept by")
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products", verbose_name=_("vendor"))
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    covenant_status = models.CharField(
        _("Privacyconvenant"), max_length=16, choices=CovenantStatus.choices, default=CovenantStatus.NONE
    )
    covenant_since = models.DateField(_("Privacyconvenant since"), null=True, blank=True)
    dpa_version = models.CharField(_("model data-processing agreement version"), max_length=20, blank=True)
    dpa_annexes = models.JSONField(_("annexes of the agreement"), default=list, blank=True)
    # [{"purpose": storage|backup|support|telemetry, "country": "NL"}]
    data_locations = models.JSONField(_("data locations"), default=list, blank=True)
    # [{"country": "US", "mechanism": adequacy|dpf|scc|other}]
    transfers = models.JSONField(_("transfers outside the EEA"), default=list, blank=True)
    # [{"name": "...", "country": "IE"}]
    sub_processors = models.JSONField(_("sub-processors"), default=list, blank=True)
    trackers = models.JSONField(_("trackers"), default=list, blank=True)
    ad_recipients = models.JSONField(_("advertising recipients"), default=list, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name", "edition", "version"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return " ".join(part for part in (self.name, self.edition, self.version) if part)


class ProductUse(PublicIdModel, TimestampedModel):
    """An organisation uses a product: since when, which edition, and who decided."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="product_uses")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="uses", verbose_name=_("product"))
    since = models.DateField(_("in use since"), null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["product__name"]
        verbose_name = _("product in use")
        verbose_name_plural = _("products in use")
        constraints = [models.UniqueConstraint(fields=["organisation", "product"], name="privacy_use_once")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.product}"


class CentralDPIA(PublicIdModel, TimestampedModel):
    """One version of the central DPIA of a product. Versions are kept: a new version replaces
    the published one, which stays readable as superseded."""

    tenant_field = "product__steward"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="central_dpias")
    number = models.PositiveIntegerField(_("version"))
    product_version = models.CharField(_("product version assessed"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CentralStatus.choices, default=CentralStatus.DRAFT)
    assessed_on = models.DateField(_("date of the assessment"))
    assessor = models.CharField(_("assessed by"), max_length=200)
    advice = models.CharField(_("overall advice"), max_length=8, choices=RiskLevel.choices)
    advice_text = models.TextField(_("advice"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["product__name", "-number"]
        verbose_name = _("central DPIA")
        verbose_name_plural = _("central DPIAs")
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="privacy_central_version_once")]

    def __str__(self) -> str:
        return f"{self.product} · v{self.number}"

    @property
    def colour(self) -> str:
        return RISK_COLOURS[RiskLevel(self.advice)]


class CentralRisk(PublicIdModel):
    central = models.ForeignKey(CentralDPIA, on_delete=models.CASCADE, related_name="risks")
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("risk"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.CharField(_("likelihood"), max_length=8, choices=Scale.choices)
    impact = models.CharField(_("impact"), max_length=8, choices=Scale.choices)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    residual = models.CharField(_("residual level after measures"), max_length=8, choices=RiskLevel.choices)

    class Meta:
        ordering = ["central", "id"]
        constraints = [models.UniqueConstraint(fields=["central", "code"], name="privacy_central_risk_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def colour(self) -> str:
        return RISK_COLOURS[RiskLevel(self.level)]

    @property
    def residual_colour(self) -> str:
        return RISK_COLOURS[RiskLevel(self.residual)]


class VendorMeasure(PublicIdModel):
    central = models.ForeignKey(CentralDPIA, on_delete=models.CASCADE, related_name="vendor_measures")
    title = models.CharField(_("measure"), max_length=300)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VendorMeasureStatus.choices, default=VendorMeasureStatus.OPEN
    )

    class Meta:
        ordering = ["central", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class SchoolMeasure(PublicIdModel):
    central = models.ForeignKey(CentralDPIA, on_delete=models.CASCADE, related_name="school_measures")
    code = models.CharField(_("code"), max_length=10)
    kind = models.CharField(_("kind"), max_length=16, choices=SchoolMeasureKind.choices)
    title = models.CharField(_("measure"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["central", "id"]
        constraints = [models.UniqueConstraint(fields=["central", "code"], name="privacy_school_measure_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CentralChange(models.Model):
    """A change to a central DPIA that users of the product must hear about: a new version, a
    changed advice, a withdrawal. The notification task works through one change at a time."""

    central = models.ForeignKey(CentralDPIA, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.central} {self.kind}"


class ReviewFlag(models.Model):
    """One organisation told about one change: written before anyone is notified, and unique,
    so that a task that runs twice notifies nobody twice."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(CentralChange, on_delete=models.CASCADE, related_name="flags")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "change"], name="privacy_flag_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.change_id}"


class NoticeQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """A person's own notices, of organisations they still reach."""
        if not _signed_in(user):
            return self.none()
        return self.filter(user=user, organisation__in=visible_organisations(user, action).values("pk"))


class PrivacyNotice(models.Model):
    """An in-app message to one person about a change of a central DPIA."""

    tenant_field = "organisation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    central = models.ForeignKey(CentralDPIA, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="privacy_notice_user")]

    def __str__(self) -> str:
        return self.message


class LocalDPIA(PublicIdModel, TimestampedModel):
    """An organisation's own DPIA, built on a central DPIA or from scratch, in the four parts of
    the Dutch government's model: description, lawfulness, risks and measures.

    Accepted is final: a change makes a new version (`previous` points back)."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="local_dpias")
    title = models.CharField(_("title"), max_length=200)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="local_dpias", verbose_name=_("product")
    )
    central = models.ForeignKey(
        CentralDPIA,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_dpias",
        verbose_name=_("central DPIA"),
    )
    number = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(_("status"), max_length=16, choices=LocalStatus.choices, default=LocalStatus.DRAFT)
    # Part A: description.
    description = models.TextField(_("the processing and its purposes"), blank=True)
    data_description = models.TextField(_("personal data and the people concerned"), blank=True)
    # Part B: lawfulness.
    legal_basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices, blank=True)
    lawfulness = models.TextField(_("lawfulness, necessity and proportionality"), blank=True)
    # Part D text beside the measures list.
    measures_note = models.TextField(_("other measures"), blank=True)
    # The pre-scan answers: codes of prescan.AP_TYPES and EDPB_CRITERIA.
    ap_types = models.JSONField(default=list, blank=True)
    edpb_criteria = models.JSONField(default=list, blank=True)
    # Workflow.
    dpo_advice = models.TextField(_("advice of the DPO"), blank=True)
    advised_on = models.DateField(_("advised on"), null=True, blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    residual_accepted = models.TextField(_("residual risks accepted"), blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("why a review is needed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("local DPIA")
        verbose_name_plural = _("local DPIAs")
        indexes = [models.Index(fields=["organisation", "product"], name="privacy_local_org_product")]

    def __str__(self) -> str:
        return f"{self.title} · v{self.number}"

    @property
    def locked(self) -> bool:
        return self.status in (LocalStatus.ACCEPTED, LocalStatus.SUPERSEDED)


class LocalRisk(PublicIdModel):
    dpia = models.ForeignKey(LocalDPIA, on_delete=models.CASCADE, related_name="risks")
    central_risk = models.ForeignKey(CentralRisk, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applies = models.BooleanField(_("applies to us"), default=True)
    title = models.CharField(_("risk"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.CharField(_("likelihood"), max_length=8, choices=Scale.choices)
    impact = models.CharField(_("impact"), max_length=8, choices=Scale.choices)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    residual = models.CharField(_("residual level after measures"), max_length=8, choices=RiskLevel.choices)

    class Meta:
        ordering = ["dpia", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def colour(self) -> str:
        return RISK_COLOURS[RiskLevel(self.level)]

    @property
    def residual_colour(self) -> str:
        return RISK_COLOURS[RiskLevel(self.residual)]


class LocalMeasure(PublicIdModel):
    dpia = models.ForeignKey(LocalDPIA, on_delete=models.CASCADE, related_name="measures")
    school_measure = models.ForeignKey(SchoolMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=SchoolMeasureKind.choices)
    title = models.CharField(_("measure"), max_length=300)
    implemented = models.BooleanField(_("implemented"), default=False)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["dpia", "id"]

    def __str__(self) -> str:
        return self.title


class ProcessingActivity(PublicIdModel, TimestampedModel):
    """One entry of the register of processing activities (GDPR Art. 30)."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="processing_activities")
    name = models.CharField(_("name"), max_length=200)
    purposes = models.TextField(_("purposes"))
    legal_basis = models.CharField(_("legal basis (Art. 6)"), max_length=24, choices=LegalBasis.choices)
    special_condition = models.CharField(
        _("condition for special categories (Art. 9)"), max_length=32, choices=SpecialCondition.choices, blank=True
    )
    data_subjects = models.JSONField(_("people concerned"), default=list, blank=True)
    data_categories = models.JSONField(_("kinds of personal data"), default=list, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    processors = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name=_("processors"))
    # [{"country": "US", "mechanism": "scc"}]
    transfers = models.JSONField(_("transfers outside the EEA"), default=list, blank=True)
    retention = models.CharField(_("retention"), max_length=300, blank=True)
    security_measures = models.TextField(_("security measures"), blank=True)
    dpia_needed = models.CharField(_("DPIA needed"), max_length=8, choices=DpiaNeed.choices, default=DpiaNeed.UNKNOWN)
    covering_dpia = models.ForeignKey(
        LocalDPIA,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("covered by DPIA"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="privacy_activity_name_once")]

    def __str__(self) -> str:
        return self.name


class Breach(PublicIdModel, TimestampedModel):
    """An entry of the breach register: a breach entered here, or the DPO's decisions about an
    incident from the incident desk that involves personal data (then `incident` is set, once)."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="breaches")
    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="breach"
    )
    title = models.CharField(_("short title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    occurred_on = models.DateField(_("happened on"), null=True, blank=True)
    discovered_on = models.DateField(_("discovered on"))
    data_categories = models.CharField(_("kinds of personal data"), max_length=500, blank=True)
    people_affected = models.PositiveIntegerField(_("number of people concerned"), null=True, blank=True)
    report_to_authority = models.CharField(
        _("report to the AP"), max_length=16, choices=Decision.choices, default=Decision.UNDECIDED
    )
    authority_reason = models.TextField(_("reasoning (AP)"), blank=True)
    authority_reported_on = models.DateField(_("reported to the AP on"), null=True, blank=True)
    inform_people = models.CharField(
        _("inform the people concerned"), max_length=16, choices=Decision.choices, default=Decision.UNDECIDED
    )
    people_reason = models.TextField(_("reasoning (people concerned)"), blank=True)
    people_informed_on = models.DateField(_("people informed on"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_on", "-created_at"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")

    def __str__(self) -> str:
        return self.title
