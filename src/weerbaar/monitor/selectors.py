"""Reads of the sector monitor. Sector-wide readers get only anonymised, precomputed aggregates;
an organisation gets its own results and its position, never another's identity."""

from collections import Counter
from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from weerbaar.assessments.choices import AssessmentStatus

# One reach for every aggregate reader, shared with the assessments' audit counts.
from weerbaar.assessments.selectors import aggregate_sector_codes
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import access, visible_organisations
from weerbaar.monitor.benchmark import percentile_rank, publishable
from weerbaar.monitor.choices import MeasureState, ParticipationStep, SocStatus
from weerbaar.monitor.forecast import Forecast, forecast
from weerbaar.monitor.models import (
    Ambition,
    BasicMeasure,
    Cycle,
    CycleAggregate,
    MeasureStatus,
    OrganisationResult,
    Participation,
    SocConnection,
)


def participation_step(participation: Participation) -> str:
    assessment = participation.assessment
    if assessment is None:
        return ParticipationStep.INVITED
    if assessment.status == AssessmentStatus.FINAL:
        return ParticipationStep.FINAL
    if assessment.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.UNDER_REVIEW):
        return ParticipationStep.SUBMITTED
    return ParticipationStep.STARTED


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The last earlier cycle on the same framework that shares a sector: the base for 'change'."""
    return (
        Cycle.objects.filter(
            framework_version__framework_id=cycle.framework_version.framework_id,
            opens_on__lt=cycle.opens_on,
            sectors__in=cycle.sectors.all(),
        )
        .exclude(pk=cycle.pk)
        .order_by("-opens_on")
        .distinct()
        .first()
    )


def coordinated_cycles(user) -> QuerySet[Cycle]:
    return (
        Cycle.objects.visible_to(user, Action.SECTOR_COORDINATE)
        .select_related("framework_version__framework", "coordinator")
        .prefetch_related("sectors")
    )


def access_cycle(user, public_id, action: Action = Action.SECTOR_COORDINATE) -> Cycle:
    return access(
        Cycle.objects.select_related("framework_version__framework", "coordinator"), user, action, public_id=public_id
    )


def aggregate_cycles(user) -> QuerySet[Cycle]:
    """Cycles whose anonymised aggregates the user may read: those covering a sector the user's
    sector role reaches (coordinators: served sectors; councils, ministry, inspectorate: all)."""
    if user is None or not user.is_authenticated or not visible_organisations(user, Action.AGGREGATE_VIEW).exists():
        return Cycle.objects.none()
    codes = aggregate_sector_codes(user)
    return (
        Cycle.objects.filter(pk__in=Cycle.objects.filter(sectors__code__in=codes).values("pk"))
        .select_related("framework_version__framework")
        .prefetch_related("sectors")
        .order_by("-opens_on")
    )


def access_aggregate_cycle(user, public_id) -> Cycle:
    """A cycle whose aggregates the user may read, or 404 (missing and out of reach alike)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    try:
        return aggregate_cycles(user).get(public_id=public_id)
    except (Cycle.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def visible_groups(user, cycle: Cycle) -> list[str]:
    """The fixed groups of a cycle the user may see: each of the cycle's sectors within reach,
    and the cycle total only when every sector of the cycle is within reach."""
    allowed = set(aggregate_sector_codes(user))
    sectors = [s.code for s in cycle.sectors.all()]
    groups = [code for code in sectors if code in allowed]
    if sectors and set(sectors) <= allowed:
        groups.insert(0, "all")
    return groups


def group_trend(cycle: Cycle, groups: list[str], column: str = "overall", limit: int = 6) -> list[dict]:
    """The mean of one column per group over this cycle and the earlier cycles on the same
    framework that share a sector (oldest first): published cells only."""
    cycles = list(
        Cycle.objects.filter(
            framework_version__framework_id=cycle.framework_version.framework_id,
            opens_on__lte=cycle.opens_on,
            sectors__in=cycle.sectors.all(),
        )
        .distinct()
        .order_by("-opens_on")[:limit]
    )
    cycles.reverse()
    cells = {
        (row.cycle_id, row.group): row
        for row in CycleAggregate.objects.filter(cycle__in=cycles, column=column, group__in=groups)
    }
    return [{"cycle": c, "cells": [(group, cells.get((c.pk, group))) for group in groups]} for c in cycles]


def participation_overview(cycle: Cycle) -> dict[str, int]:
    """How many invited organisations are at each step (counts only)."""
    counts = Counter(participation_step(p) for p in cycle.participations.select_related("assessment"))
    return {step: counts.get(step, 0) for step in ParticipationStep.values}


def participations_of(user, cycle: Cycle) -> QuerySet[Participation]:
    """The coordinator's list of who takes part (names and steps, never scores)."""
    return cycle.participations.select_related("organisation", "assessment").order_by("organisation__name")


def invitations_for(user, organisation) -> QuerySet[Participation]:
    return (
        Participation.objects.visible_to(user, Action.ASSESSMENT_VIEW)
        .filter(organisation=organisation)
        .select_related("cycle__framework_version__framework", "assessment")
        .order_by("-cycle__opens_on")
    )


def cycle_aggregates(cycle: Cycle) -> list[CycleAggregate]:
    """Every precomputed cell of a cycle, refreshed first when an assessment became final since."""
    ensure_fresh(cycle)
    return list(CycleAggregate.objects.filter(cycle=cycle).order_by("group", "id"))


def is_stale(cycle: Cycle) -> bool:
    latest_final = Participation.objects.filter(cycle=cycle, assessment__status=AssessmentStatus.FINAL).aggregate(
        latest=Max("assessment__finalised_at")
    )["latest"]
    computed = CycleAggregate.objects.filter(cycle=cycle).aggregate(at=Max("computed_at"))["at"]
    if latest_final is None:
        return False
    return computed is None or computed < latest_final


def ensure_fresh(cycle: Cycle) -> None:
    """Aggregates are refreshed when an assessment in the cycle becomes final: this compares the
    newest final assessment with the snapshot and queues a refresh when it is older."""
    if is_stale(cycle):
        from weerbaar.monitor.tasks import refresh_cycle_task

        refresh_cycle_task.enqueue(cycle.pk)


def own_position(user, organisation, cycle: Cycle) -> dict | None:
    """The organisation's own scores in a cycle and its percentile per column within its sector,
    only where the sector's cell is shown (not suppressed)."""
    try:
        own = OrganisationResult.objects.visible_to(user, Action.ASSESSMENT_VIEW).get(
            cycle=cycle, organisation=organisation
        )
    except OrganisationResult.DoesNotExist:
        return None
    shown = {row.column for row in CycleAggregate.objects.filter(cycle=cycle, group=own.sector, suppressed=False)}
    peers = list(OrganisationResult.objects.filter(cycle=cycle, sector=own.sector).values_list("overall", "domains"))
    positions = {}
    columns = [("overall", own.overall), *list(own.domains.items())]
    for column, value in columns:
        if value is None or column not in shown:
            positions[column] = None
            continue
        group = [o if column == "overall" else d.get(column) for o, d in peers]
        group = [v for v in group if v is not None]
        positions[column] = (
            percentile_rank(value, group) if publishable(len(group), settings.BENCHMARK_MIN_GROUP) else None
        )
    return {"overall": own.overall, "domains": own.domains, "percentiles": positions, "sector": own.sector}


def forecast_for(organisation, today: date | None = None) -> Forecast | None:
    """The organisation's outlook against its sector's ambition, from its own final assessments."""
    ambition = Ambition.objects.filter(sector_id=organisation.sector_id).first()
    if ambition is None:
        return None
    from weerbaar.assessments.models import Assessment
    from weerbaar.assessments.selectors import score_of

    history = []
    for assessment in (
        Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.FINAL)
        .select_related("framework_version")
        .order_by("finalised_at")
    ):
        overall = score_of(assessment).overall
        if overall is not None:
            history.append((timezone.localtime(assessment.finalised_at).date(), overall))
    return forecast(history, ambition.target, ambition.deadline, today or timezone.localdate())


def sector_share_on_track(sector, min_group: int | None = None) -> dict | None:
    """Share of a sector's organisations whose latest cycle result is at or above the ambition
    (an aggregate, shown only for a publishable group)."""
    return shares_on_track([sector], min_group)[sector.code]


def shares_on_track(sectors, min_group: int | None = None) -> dict[str, dict | None]:
    """`sector_share_on_track` for several sectors at once: {sector code: share, or None for a
    sector without an ambition}, in two queries whatever the number of sectors."""
    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    ambitions = {a.sector_id: a for a in Ambition.objects.filter(sector__in=[s.pk for s in sectors])}
    targets = {s.code: ambitions[s.pk].target for s in sectors if s.pk in ambitions}
    shares: dict[str, dict | None] = {s.code: None for s in sectors}
    if not targets:
        return shares
    # Counted in the database: each organisation's latest result (no later one of the same
    # organisation in the sector, the larger key breaking a tie), then per sector how many of
    # those have an overall score and how many reach that sector's ambition. Reading every
    # result of every cycle into Python took most of the dashboard's time at the sector's size.
    results = OrganisationResult.objects.filter(sector__in=list(targets))
    newer = OrganisationResult.objects.filter(
        sector=OuterRef("sector"), organisation_id=OuterRef("organisation_id")
    ).filter(
        Q(finalised_at__gt=OuterRef("finalised_at")) | Q(finalised_at=OuterRef("finalised_at"), pk__gt=OuterRef("pk"))
    )
    reaching = Q(pk__in=[])
    for code, target in targets.items():
        reaching |= Q(sector=code, overall__gte=target)
    counted = {
        row["sector"]: row
        for row in results.exclude(Exists(newer))
        .filter(overall__isnull=False)
        .values("sector")
        .annotate(count=Count("pk"), on_track=Count("pk", filter=reaching))
        .order_by()
    }
    for code in targets:
        row = counted.get(code, {"count": 0, "on_track": 0})
        if not publishable(row["count"], min_group):
            shares[code] = {"suppressed": True}
        else:
            shares[code] = {"suppressed": False, "count": row["count"], "share": row["on_track"] / row["count"]}
    return shares


def measures_of(user, organisation) -> list[tuple[BasicMeasure, MeasureStatus | None]]:
    statuses = {
        s.measure_id: s
        for s in MeasureStatus.objects.visible_to(user, Action.POSTURE_VIEW).filter(organisation=organisation)
    }
    return [(measure, statuses.get(measure.pk)) for measure in BasicMeasure.objects.order_by("position")]


def soc_of(user, organisation) -> SocConnection | None:
    return SocConnection.objects.visible_to(user, Action.POSTURE_VIEW).filter(organisation=organisation).first()


def measure_coverage(sector_codes: list[str], min_group: int | None = None) -> list[dict]:
    """Per basic measure: the share of the sectors' organisations with it in place (anonymised)."""
    from weerbaar.monitor.services import PARTICIPATING_KINDS
    from weerbaar.organisations.models import Organisation

    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    population = Organisation.objects.filter(
        sector__code__in=sector_codes, kind__in=PARTICIPATING_KINDS, is_active=True
    ).count()
    in_place = Counter(
        MeasureStatus.objects.filter(
            organisation__sector__code__in=sector_codes,
            organisation__kind__in=PARTICIPATING_KINDS,
            organisation__is_active=True,
            state=MeasureState.IN_PLACE,
        ).values_list("measure_id", flat=True)
    )
    rows = []
    for measure in BasicMeasure.objects.order_by("position"):
        if not publishable(population, min_group):
            rows.append({"measure": measure, "suppressed": True})
        else:
            rows.append(
                {
                    "measure": measure,
                    "suppressed": False,
                    "population": population,
                    "in_place": in_place.get(measure.pk, 0),
                    "share": in_place.get(measure.pk, 0) / population,
                }
            )
    return rows


def soc_coverage(sector_codes: list[str], min_group: int | None = None) -> dict:
    """Counts of SOC connection status and the calendar of planned connections per month."""
    from weerbaar.monitor.services import PARTICIPATING_KINDS
    from weerbaar.organisations.models import Organisation

    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    organisations = Organisation.objects.filter(
        sector__code__in=sector_codes, kind__in=PARTICIPATING_KINDS, is_active=True
    )
    population = organisations.count()
    if not publishable(population, min_group):
        return {"suppressed": True}
    connections = SocConnection.objects.filter(organisation__in=organisations)
    statuses = Counter(connections.values_list("status", flat=True))
    statuses[SocStatus.NONE] += population - sum(statuses.values())
    calendar = Counter(
        d.strftime("%Y-%m")
        for d in connections.filter(status=SocStatus.PLANNED, planned_on__isnull=False).values_list(
            "planned_on", flat=True
        )
    )
    return {
        "suppressed": False,
        "population": population,
        "statuses": {s: statuses.get(s, 0) for s in SocStatus.values},
        "calendar": sorted(calendar.items()),
    }


# --- stored sector figures --------------------------------------------------------------------


def figures_key(sector_codes: list[str]) -> str:
    return ",".join(sector_codes)


def compute_sector_figures(
    sector_codes: list[str], years, today: date | None = None, on_track: dict | None = None
) -> dict:
    """Every sector-wide figure the dashboard and the reports show for a reader who sees
    `sector_codes` (already within the reader's reach), computed live by the selectors that apply
    the anonymity rules, as JSON for `SectorFigures`. `years` are the governance years wanted
    (the year before each cycle opened); `on_track` may pass `shares_on_track` of every sector."""
    from dataclasses import asdict

    from weerbaar.assessments.selectors import sector_audit_counts
    from weerbaar.awareness import selectors as awareness_selectors
    from weerbaar.governance import selectors as governance_selectors
    from weerbaar.organisations.models import Sector

    today = today or timezone.localdate()
    if on_track is None:
        on_track = shares_on_track(list(Sector.objects.filter(code__in=sector_codes)))
    awareness = [
        {"group": row["group"], **{column: asdict(row[column]) for column in awareness_selectors.FIGURE_COLUMNS}}
        for row in awareness_selectors.sector_figures(sector_codes, today)
    ]
    return {
        "on_track": {code: on_track.get(code) for code in sector_codes},
        "measures": [
            {**{k: v for k, v in row.items() if k != "measure"}, "measure": row["measure"].pk}
            for row in measure_coverage(sector_codes)
        ]
        if sector_codes
        else [],
        "soc": soc_coverage(sector_codes) if sector_codes else {"suppressed": True},
        "audits": [{**row, "sector": row["sector"].code} for row in sector_audit_counts(sector_codes, today)],
        "awareness": awareness,
        "governance": {
            str(year): asdict(governance_selectors.sector_figures(sector_codes, year)) if sector_codes else None
            for year in years
        },
    }


def read_sector_figures(figures: dict, year: int, sectors: dict, today: date | None = None) -> dict:
    """Stored figures back in the shapes the live selectors return, for the templates and the
    workbook: measures with their `BasicMeasure`, audits with their `Sector` (from `sectors`, the
    cycle's sectors by code), awareness statistics as `GroupStats`, governance as `SectorFigures`."""
    from weerbaar.governance.figures import Cell, SectorFigures
    from weerbaar.monitor.benchmark import GroupStats

    measures = {m.pk: m for m in BasicMeasure.objects.filter(pk__in=[row["measure"] for row in figures["measures"]])}
    soc = dict(figures["soc"])
    if "calendar" in soc:
        soc["calendar"] = [tuple(month) for month in soc["calendar"]]
    awareness = []
    for row in figures["awareness"]:
        stats = {}
        for column, values in row.items():
            if column == "group":
                continue
            values = dict(values)
            values["distribution"] = {int(level): n for level, n in values.get("distribution", {}).items()}
            stats[column] = GroupStats(**values)
        awareness.append({"group": row["group"], **stats})
    governance = figures["governance"].get(str(year))
    if governance is not None:
        governance = SectorFigures(
            year=governance["year"],
            sectors=governance["sectors"],
            min_group=governance["min_group"],
            cells=[Cell(**cell) for cell in governance["cells"]],
        )
    return {
        "on_track": figures["on_track"],
        "measures": [{**row, "measure": measures[row["measure"]]} for row in figures["measures"]],
        "soc": soc,
        "audits": [{**row, "sector": sectors[row["sector"]]} for row in figures["audits"]],
        "awareness": awareness,
        "governance": governance,
    }


def stored_sector_figures(cycle: Cycle, sector_codes: list[str]) -> dict:
    """The sector-wide figures of `cycle` for a reader who sees `sector_codes`, from the stored
    row. A row that is missing (a set of sectors nobody read before) is computed and stored now;
    a row whose sources changed or that is from an earlier day (overdue audits and the awareness
    year move with the date) is shown as stored while its refresh is queued once."""
    from weerbaar.monitor.models import SectorFigures
    from weerbaar.monitor.services import queue_sector_figures_refresh, store_sector_figures

    year = cycle.opens_on.year - 1
    row = SectorFigures.objects.filter(sectors=figures_key(sector_codes)).first()
    if row is None or str(year) not in row.figures.get("governance", {}):
        row = store_sector_figures(sector_codes=sector_codes, years=[year], keep=row.figures if row else None)
    elif (row.stale or row.computed_on != timezone.localdate()) and queue_sector_figures_refresh(stale=[row.pk]):
        # Queued only by the first reader; the immediate task backend (development, tests) has
        # refreshed it already.
        row.refresh_from_db()
    return read_sector_figures(row.figures, year, {s.code: s for s in cycle.sectors.all()})
