"""Maturity assessments of an organisation against a framework version, their norm scores,
evidence, and the improvement actions that follow from gaps."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.assessments.choices import (
    ActionSource,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
)
from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import ScopedQuerySet, visible_organisations
from weerbaar.frameworks.models import Framework, FrameworkVersion, Norm
from weerbaar.organisations.models import Organisation, Sector

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class AssessmentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """Besides the organisation's own reach, an assessment is visible to the reviewer assigned
        to it (an auditor or peer reviewer from another organisation), and only to view or review."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        organisations = visible_organisations(user, action).values("pk")
        condition = Q(**{f"{self.model.tenant_field}__in": organisations})
        if action in (Action.ASSESSMENT_VIEW, Action.ASSESSMENT_REVIEW):
            reviewer_path = self.model.reviewer_field
            reviewing = Q(**{reviewer_path: user}) & Q(**{f"{reviewer_path}__is_active": True})
            condition |= reviewing
        return self.filter(condition)


class Assessment(PublicIdModel, TimestampedModel):
    """One measurement of an organisation against a published framework version: a
    self-assessment, an internal or external audit, or a peer review."""

    tenant_field = "organisation"
    reviewer_field = "reviewer"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assessments")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=20, choices=AssessmentKind.choices, default=AssessmentKind.SELF)
    status = models.CharField(
        _("status"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    started_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started from"),
    )
    # Target level per domain code, fixed when the assessment starts (risk profile).
    targets = models.JSONField(_("target levels"), default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    reviewer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="reviewed_assessments"
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    review_summary = models.TextField(_("review summary"), blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["organisation", "status"], name="assess_org_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.FINAL


class NormScore(TimestampedModel):
    """The institution's level for one norm, with its justification, and the reviewer's level."""

    tenant_field = "assessment__organisation"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    norm = models.ForeignKey(Norm, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, validators=LEVEL_VALIDATORS)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("reason it does not apply"), blank=True)
    justification = models.TextField(_("justification"), blank=True)
    auditor_level = models.PositiveSmallIntegerField(
        _("reviewer's level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    auditor_note = models.TextField(_("reviewer's note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "norm__position"]
        verbose_name = _("norm score")
        verbose_name_plural = _("norm scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "norm"], name="assessments_normscore_unique_norm"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="assessments_normscore_level_range",
            ),
            models.CheckConstraint(
                condition=Q(auditor_level__isnull=True) | Q(auditor_level__gte=1, auditor_level__lte=5),
                name="assessments_normscore_auditor_level_range",
            ),
        ]
        indexes = [
            # Every column the scoring of many assessments at once reads (the monitor's refresh
            # from the norm scores), so that it is answered from the index alone.
            models.Index(
                fields=["assessment", "not_applicable", "norm", "level", "auditor_level"],
                name="assessments_normscore_scoring",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.norm.code}: {self.level or '-'}"


class ScoreRollup(models.Model):
    """A final assessment's derived scores, stored in the transaction that makes it final, so
    that the sector monitor aggregates thousands of assessments without reading their norm
    scores. One row per domain that has a score and one `overall` row (empty when nothing
    counts), which also marks the assessment as rolled up. A final assessment is locked, so
    its rows never go stale; they are written by the assessments' services only."""

    OVERALL = "overall"

    tenant_field = "assessment__organisation"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rollup")
    column = models.CharField(max_length=64)  # "overall" or a domain code
    score = models.FloatField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "column"], name="assessments_rollup_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.column} {self.score}"

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.level is not None


class Evidence(PublicIdModel):
    """A document or link that shows a norm's level is real. Files are kept with their SHA-256."""

    tenant_field = "score__assessment__organisation"

    score = models.ForeignKey(NormScore, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class ImprovementAction(PublicIdModel, TimestampedModel):
    """A piece of work that closes a gap: from an assessment, an audit finding or a crisis
    exercise. One list per organisation; open actions carry over to the next assessment."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="improvement_actions")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ActionSource.choices, default=ActionSource.ASSESSMENT_GAP
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    norm_code = models.CharField(_("norm"), max_length=64, blank=True)
    source_assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="improvement_actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "created_at"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        indexes = [models.Index(fields=["organisation", "framework", "norm_code"], name="assess_action_norm")]

    def __str__(self) -> str:
        return self.title


class DomainTarget(TimestampedModel):
    """An organisation's own target level for one domain of a framework (its risk profile),
    instead of the sector's default 3."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domain_targets")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    domain_code = models.CharField(_("domain"), max_length=64)
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=LEVEL_VALIDATORS)
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("domain target")
        verbose_name_plural = _("domain targets")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "framework", "domain_code"], name="assessments_domaintarget_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain_code}: {self.target_level}"


class AuditPolicy(TimestampedModel):
    """How often a sector's institutions must be audited, and which kinds of assessment count."""

    sector = models.OneToOneField(Sector, on_delete=models.CASCADE, related_name="audit_policy")
    interval_months = models.PositiveSmallIntegerField(_("at least every (months)"), validators=[MinValueValidator(1)])
    # AssessmentKind values that satisfy the policy.
    accepted_kinds = models.JSONField(_("kinds that count"), default=list)
    applies_to_kinds = models.JSONField(
        _("organisation kinds"), default=list, help_text=_("Organisation kinds the policy applies to.")
    )

    class Meta:
        verbose_name = _("audit policy")
        verbose_name_plural = _("audit policies")

    def __str__(self) -> str:
        return f"{self.sector}: {self.interval_months}"
