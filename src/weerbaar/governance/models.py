"""Security budget and staffing per organisation and year, the annual-report IBP paragraph with
its versions, each sector's choice of paragraph elements and due date, and the reminders sent."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.tenancy import ScopedQuerySet
from weerbaar.governance.choices import ALL_ELEMENTS, ParagraphStatus
from weerbaar.organisations.models import Organisation, Sector

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)


def _fte(label):
    return models.DecimalField(label, max_digits=8, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE)


class SecurityBudget(PublicIdModel, TimestampedModel):
    """What an organisation spends on information security and privacy in one year, and the
    people it has for it. The organisation's total and ICT budget and its total staff are kept on
    the same record, so that the share of the ICT budget can be computed and absurd figures
    (more security budget than the whole budget, more FTE than staff) refused."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="security_budgets")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    total_budget = _money(_("total budget of the organisation (euros)"))
    ict_budget = _money(_("ICT budget (euros)"))
    security_budget = _money(_("budget for information security and privacy (euros)"))
    headcount_fte = models.DecimalField(
        _("total staff (FTE)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    ibp_officer_fte = _fte(_("IBP officer (FTE)"))
    dpo_fte = _fte(_("data protection officer (FTE)"))
    security_engineer_fte = _fte(_("security engineers (FTE)"))
    external_fte = _fte(_("external services, such as a SOC (FTE)"))
    external_services = models.CharField(_("external services"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-year"]
        verbose_name = _("security budget")
        verbose_name_plural = _("security budgets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="governance_budget_one_per_year"),
            models.CheckConstraint(
                condition=Q(security_budget__lte=models.F("total_budget")),
                name="governance_budget_security_within_total",
            ),
            models.CheckConstraint(
                condition=Q(ict_budget__lte=models.F("total_budget")), name="governance_budget_ict_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def staff_fte(self) -> Decimal:
        return self.ibp_officer_fte + self.dpo_fte + self.security_engineer_fte + self.external_fte

    @property
    def ict_share(self) -> float | None:
        """The security budget as a share of the ICT budget (0–1), or None without an ICT budget."""
        if not self.ict_budget:
            return None
        return float(self.security_budget / self.ict_budget)


class SectorParagraphSettings(TimestampedModel):
    """Which elements a sector's annual-report paragraph contains and when it is due. Sector
    settings hold no institution data, so they carry no tenant field: the coordinator writes them,
    everyone reads them."""

    sector = models.OneToOneField(Sector, on_delete=models.CASCADE, related_name="paragraph_settings")
    elements = models.JSONField(_("elements"), default=list)
    # The annual report over year Y is due on this day of year Y + 1 (school boards: 1 July).
    due_month = models.PositiveSmallIntegerField(
        _("due month"), default=7, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before"), default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("paragraph settings of a sector")
        verbose_name_plural = _("paragraph settings of sectors")

    def __str__(self) -> str:
        return str(self.sector)

    @classmethod
    def defaults(cls) -> dict:
        return {"elements": list(ALL_ELEMENTS), "due_month": 7, "due_day": 1, "remind_days_before": 30}


class AnnualReportParagraph(PublicIdModel, TimestampedModel):
    """One version of an organisation's IBP paragraph for the annual report over one year.

    The platform drafts it from its own figures (kept in `facts`, as they were when drafted); the
    IBP officer edits and submits it; a board member approves it, after which it is locked. A
    change after approval is a new version that starts as a draft from the approved text."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="annual_paragraphs")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=ParagraphStatus.choices, default=ParagraphStatus.DRAFT
    )
    elements = models.JSONField(_("elements"), default=list)
    facts = models.JSONField(_("figures"), default=dict)
    text_nl = models.TextField(_("text (Dutch)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(_("note from the board"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-year", "-version"]
        verbose_name = _("annual-report paragraph")
        verbose_name_plural = _("annual-report paragraphs")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "version"], name="governance_paragraph_version"),
            # Only one version of a year may be worked on at a time.
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=~Q(status="approved"),
                name="governance_paragraph_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == ParagraphStatus.APPROVED


class ParagraphReminder(models.Model):
    """A reminder that an organisation's paragraph is due; the unique key makes a second send
    impossible, even from two workers at once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="governance_reminder_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"
