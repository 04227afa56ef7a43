"""The normenkader catalogue: frameworks, their versions, domains, norms and mappings.

Catalogue data is shared by the whole sector, not owned by one institution: it declares no
`tenant_field`. Every signed-in user reads published versions; only the sector coordinators who
maintain a framework write to it, through `frameworks.services`.

Texts are bilingual. Dutch (`*_nl`) is required and English (`*_en`) optional; the helpers below
show the active language and fall back to Dutch.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.frameworks.choices import LEVELS, DomainPart, MappingRelation, VersionStatus
from weerbaar.organisations.models import Organisation, Sector


def active_text(nl: str, en: str = "") -> str:
    """The text in the active language; Dutch when English is asked for but missing."""
    if (get_language() or "nl")[:2] == "en" and en:
        return en
    return nl


def active_text_of(value: dict | None) -> str:
    """`active_text` for a stored `{"nl": ..., "en": ...}` object."""
    value = value or {}
    return active_text(value.get("nl", ""), value.get("en", ""))


class Framework(PublicIdModel, TimestampedModel):
    """A normenkader: a named set of norms that institutions measure themselves against, or a
    reference list (ISO controls, NIS2 measures) that other frameworks map to."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    owner = models.CharField(
        _("owner"),
        max_length=200,
        blank=True,
        help_text=_("Who maintains the framework's content."),
    )
    sectors = models.ManyToManyField(Sector, blank=True, related_name="frameworks", verbose_name=_("sectors"))
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # The sector organisation whose coordinators may change this framework. Empty for the
    # catalogues shipped with the platform, which any sector coordinator may maintain.
    maintainer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintained_frameworks",
        verbose_name=_("maintained by"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def name(self) -> str:
        return active_text(self.name_nl, self.name_en)

    @property
    def description(self) -> str:
        return active_text(self.description_nl, self.description_en)


class FrameworkVersion(PublicIdModel, TimestampedModel):
    """One version of a framework. A draft can be edited; once published it never changes, so
    that every assessment made against it keeps its meaning. A new version starts as a copy."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=40)
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    released = models.DateField(_("released"), null=True, blank=True)
    scored = models.BooleanField(
        _("scored on maturity levels"),
        default=True,
        help_text=_("Off for reference lists that are mapped to but not scored."),
    )
    source_note_nl = models.TextField(_("source note (Dutch)"), blank=True)
    source_note_en = models.TextField(_("source note (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_versions",
        verbose_name=_("copied from"),
    )

    class Meta:
        ordering = ["framework_id", "-created_at"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "label"], name="frameworks_version_unique_label"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def source_note(self) -> str:
        return active_text(self.source_note_nl, self.source_note_en)


class Domain(PublicIdModel):
    """A cluster of norms within a version (a domain, theme or chapter)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("code"), max_length=64)
    part = models.CharField(_("part"), max_length=16, choices=DomainPart.choices, default=DomainPart.SECURITY)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="frameworks_domain_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return active_text(self.title_nl, self.title_en)

    @property
    def description(self) -> str:
        return active_text(self.description_nl, self.description_en)


class Norm(PublicIdModel):
    """One norm: what must be in place, why it matters, and what each maturity level looks like.

    `version` repeats the domain's version so that a code is unique within a version by a plain
    database constraint.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="norms")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="norms")
    code = models.CharField(_("code"), max_length=64)
    id_confirmed = models.BooleanField(
        _("code confirmed"), default=False, help_text=_("The code is confirmed by a public source.")
    )
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    statement_nl = models.TextField(_("statement (Dutch)"), blank=True)
    statement_en = models.TextField(_("statement (English)"), blank=True)
    rationale_nl = models.TextField(_("why it matters (Dutch)"), blank=True)
    rationale_en = models.TextField(_("why it matters (English)"), blank=True)
    # {"1": {"nl": "...", "en": "..."}, ..., "5": {...}}; empty for unscored reference lists.
    levels = models.JSONField(_("level descriptions"), default=dict, blank=True)
    # [{"nl": "...", "en": "..."}]: example measures that help reach the target level.
    target_measures = models.JSONField(_("example measures"), default=list, blank=True)
    # ["AVG art. 32", "ISO/IEC 27002:2022 5.1"]: related laws and standards.
    references = models.JSONField(_("references"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)  # order within the domain

    class Meta:
        ordering = ["domain_id", "position"]
        verbose_name = _("norm")
        verbose_name_plural = _("norms")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="frameworks_norm_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return active_text(self.title_nl, self.title_en)

    @property
    def statement(self) -> str:
        return active_text(self.statement_nl, self.statement_en)

    @property
    def rationale(self) -> str:
        return active_text(self.rationale_nl, self.rationale_en)

    def level_text(self, level: int) -> str:
        """The description of one maturity level (1..5) in the active language, or ''."""
        return active_text_of((self.levels or {}).get(str(level)))

    @property
    def level_texts(self) -> list[tuple[int, str]]:
        """[(1, text), ..., (5, text)] for a scored norm; [] when the norm has no levels."""
        if not self.levels:
            return []
        return [(level, self.level_text(level)) for level in LEVELS]

    @property
    def measures(self) -> list[str]:
        return [active_text_of(measure) for measure in self.target_measures or []]


class Mapping(models.Model):
    """A hint that a norm relates to a norm of another framework (an ISO control, a NIS2
    measure). Through it an answer on one framework is offered as a suggestion on the other;
    it is never copied silently."""

    source = models.ForeignKey(Norm, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Norm, on_delete=models.CASCADE, related_name="mappings_in")
    relation = models.CharField(
        _("relation"),
        max_length=16,
        choices=MappingRelation.choices,
        default=MappingRelation.RELATED,
    )

    class Meta:
        ordering = ["source_id", "target_id"]
        verbose_name = _("mapping")
        verbose_name_plural = _("mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="frameworks_mapping_unique_pair"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="frameworks_mapping_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.relation})"
