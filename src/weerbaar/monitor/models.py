"""Measurement cycles, participation, precomputed benchmark aggregates, ambitions, basic
measures and SOC connections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weerbaar.assessments.models import Assessment
from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.tenancy import ScopedQuerySet
from weerbaar.frameworks.models import FrameworkVersion
from weerbaar.monitor.choices import CycleKind, MeasureSource, MeasureState, ParticipationStep, SocStatus
from weerbaar.organisations.models import Organisation, Sector


class Cycle(PublicIdModel, TimestampedModel):
    """A measurement round opened by a sector coordinator: a baseline, a monitor or a benchmark
    for one or more sectors, on one framework version, within a window."""

    tenant_field = "coordinator"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CycleKind.choices)
    sectors = models.ManyToManyField(Sector, related_name="cycles", verbose_name=_("sectors"))
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="cycles")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    coordinator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="coordinated_cycles")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("measurement cycle")
        verbose_name_plural = _("measurement cycles")

    def __str__(self) -> str:
        return self.name


class Participation(TimestampedModel):
    """An organisation invited to a cycle, and the assessment it answers the cycle with."""

    tenant_field = "organisation"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="participation"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["cycle", "organisation"], name="monitor_participation_unique")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.organisation}"


class Reminder(models.Model):
    """A reminder sent for one step of a participation; the unique key makes a second send of the
    same step impossible, even from two workers at once."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=16, choices=ParticipationStep.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participation", "step"], name="monitor_reminder_once")]

    def __str__(self) -> str:
        return f"{self.participation_id} {self.step}"


class CycleAggregate(models.Model):
    """One precomputed, already anonymised cell of a cycle's benchmark: a group (all sectors of
    the cycle, or one sector) and a column (overall or a domain). Suppressed cells keep no
    statistics. Dashboards read only these rows."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="aggregates")
    group = models.CharField(max_length=16)  # "all" or a sector code
    column = models.CharField(max_length=64)  # "overall" or a domain code
    suppressed = models.BooleanField(default=False)
    count = models.PositiveIntegerField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    median = models.FloatField(null=True, blank=True)
    q1 = models.FloatField(null=True, blank=True)
    q3 = models.FloatField(null=True, blank=True)
    distribution = models.JSONField(default=dict, blank=True)
    share_at_target = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "group", "column"], name="monitor_aggregate_cell")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.group} {self.column}"


class SectorFigures(models.Model):
    """The sector-wide figures of the dashboard and the reports besides the benchmark cells
    (share on track, basic measures, SOC, audits, awareness, governance), precomputed for one
    set of sectors a reader sees: already anonymised by the selectors that compute them, per
    fixed group, never per organisation. The pages read only these rows. `stale` is set when a
    figure's source changed; the refresh that clears it is then queued once."""

    sectors = models.CharField(max_length=200, unique=True)  # sector codes, comma-separated, in sector order
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    computed_on = models.DateField()
    stale = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.sectors


class OrganisationResult(models.Model):
    """An organisation's own derived scores in a cycle, precomputed with the aggregates. Read only
    by that organisation (its position) and by the aggregation itself."""

    tenant_field = "organisation"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cycle_results")
    sector = models.CharField(max_length=16)
    overall = models.FloatField(null=True, blank=True)
    domains = models.JSONField(default=dict)
    finalised_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "organisation"], name="monitor_result_unique")]
        # The sector's share on track finds each organisation's latest result through this.
        indexes = [
            models.Index(fields=["sector", "organisation", "finalised_at"], name="monitor_result_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.organisation_id}"


class ResultScore(models.Model):
    """One score of one organisation in a cycle (its overall score or one domain's): the cycle's
    organisation results once more, one row per score, in the shape the aggregation reads. The
    index keeps a cycle's scores together in the order of its cells (column, sector, score), so
    the database computes every cell in one ordered pass without a join. Written with the
    results, only for organisations whose result changed."""

    tenant_field = "organisation"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16)
    column = models.CharField(max_length=64)  # "overall" or a domain code
    score = models.FloatField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["cycle", "column", "sector", "score"], name="monitor_resultscore_cell")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.organisation_id} {self.column} {self.score}"


class Ambition(TimestampedModel):
    """A sector's ambition: every organisation at a mean maturity of at least `target` by `deadline`."""

    sector = models.OneToOneField(Sector, on_delete=models.CASCADE, related_name="ambition")
    target = models.FloatField(_("target mean maturity"), default=3.0)
    deadline = models.DateField(_("deadline"))
    note = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ambition")
        verbose_name_plural = _("ambitions")

    def __str__(self) -> str:
        return f"{self.sector}: {self.target} by {self.deadline}"


class BasicMeasure(models.Model):
    """A basic measure every organisation is expected to have (MFA, backups, ...)."""

    code = models.CharField(max_length=32, unique=True)
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=MeasureSource.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("basic measure")
        verbose_name_plural = _("basic measures")

    def __str__(self) -> str:
        return self.code


class MeasureStatus(TimestampedModel):
    """Where an organisation stands on one basic measure."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="measure_statuses")
    measure = models.ForeignKey(BasicMeasure, on_delete=models.PROTECT, related_name="statuses")
    state = models.CharField(_("status"), max_length=16, choices=MeasureState.choices)
    as_of = models.DateField(_("date"), null=True, blank=True)
    evidence = models.TextField(_("evidence or note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "measure"], name="monitor_measure_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.measure_id} {self.state}"


class SocConnection(TimestampedModel):
    """An organisation's connection to a Security Operations Centre."""

    tenant_field = "organisation"

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="soc_connection")
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SocStatus.choices, default=SocStatus.NONE)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    connected_on = models.DateField(_("connected since"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOC connection")
        verbose_name_plural = _("SOC connections")

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.status}"
