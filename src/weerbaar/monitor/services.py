"""Writes of the sector monitor: opening cycles, taking part, reminders, refreshing the
precomputed aggregates, basic measures and SOC connections."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.choices import AssessmentStatus
from weerbaar.assessments.models import Assessment, ScoreRollup
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import require
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.monitor.benchmark import LEVEL_BANDS, PrefixMembers, cell_change, hidden_cells
from weerbaar.monitor.choices import CycleKind, MeasureState, ParticipationStep, SocStatus
from weerbaar.monitor.models import (
    BasicMeasure,
    Cycle,
    CycleAggregate,
    MeasureStatus,
    OrganisationResult,
    Participation,
    Reminder,
    ResultScore,
    SectorFigures,
    SocConnection,
)
from weerbaar.monitor.queries import cycle_cells, domain_sums, participant_scores, raw_rows, scores_from_sums
from weerbaar.monitor.selectors import participation_step, previous_cycle
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

# Schools are measured through their board; boards and institutions take part in cycles.
PARTICIPATING_KINDS = (
    OrganisationKind.SCHOOL_BOARD,
    OrganisationKind.INSTITUTION,
    OrganisationKind.RESEARCH_INSTITUTE,
)
REMIND_DAYS_BEFORE_CLOSE = 14


@transaction.atomic
def open_cycle(
    *,
    actor,
    coordinator: Organisation,
    name: str,
    kind: str,
    sectors: list,
    framework_version,
    opens_on: date,
    closes_on: date,
) -> Cycle:
    """Open a measurement cycle and invite every active board and institution of its sectors."""
    require(actor, Action.SECTOR_COORDINATE, coordinator.pk)
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = _("Give the cycle a name of at most 200 characters.")
    if kind not in CycleKind.values:
        errors["kind"] = _("Choose a valid kind of cycle.")
    served = set(coordinator.served_sectors.values_list("pk", flat=True))
    if not sectors:
        errors["sectors"] = _("Choose at least one sector.")
    elif any(sector.pk not in served for sector in sectors):
        errors["sectors"] = _("You can only open cycles for the sectors your organisation serves.")
    if framework_version is None or framework_version.status != VersionStatus.PUBLISHED or not framework_version.scored:
        errors["framework_version"] = _("Choose a published framework version with maturity levels.")
    if opens_on and closes_on and closes_on <= opens_on:
        errors["closes_on"] = _("The cycle must close after it opens.")
    if errors:
        raise ValidationError(errors)
    cycle = Cycle.objects.create(
        name=name,
        kind=kind,
        framework_version=framework_version,
        opens_on=opens_on,
        closes_on=closes_on,
        coordinator=coordinator,
        opened_by=actor,
    )
    cycle.sectors.set(sectors)
    invited = Organisation.objects.filter(sector__in=sectors, kind__in=PARTICIPATING_KINDS, is_active=True).values_list(
        "pk", flat=True
    )
    Participation.objects.bulk_create([Participation(cycle=cycle, organisation_id=pk) for pk in invited])
    audit.record(
        actor=actor,
        action="cycle.opened",
        organisation_id=coordinator.pk,
        obj=cycle,
        changes={
            "kind": kind,
            "sectors": sorted(s.code for s in sectors),
            "framework_version": str(framework_version.public_id),
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "invited": len(invited),
        },
    )
    return cycle


@transaction.atomic
def take_part(*, actor, participation: Participation, start_from_last: bool = False) -> Assessment:
    """Start the organisation's assessment for a cycle (or return the one already started)."""
    participation = (
        Participation.objects.select_for_update().select_related("cycle", "organisation").get(pk=participation.pk)
    )
    require(actor, Action.ASSESSMENT_EDIT, participation.organisation_id)
    if participation.assessment_id:
        return participation.assessment
    cycle = participation.cycle
    today = timezone.localdate()
    if not cycle.opens_on <= today <= cycle.closes_on:
        raise ValidationError(_("This cycle is not open."))
    assessment = assessment_services.start_assessment(
        actor=actor,
        organisation=participation.organisation,
        framework_version=cycle.framework_version,
        title=cycle.name,
        start_from_last=start_from_last
        and assessment_services.last_final_assessment(participation.organisation, cycle.framework_version.framework_id)
        is not None,
    )
    participation.assessment = assessment
    participation.save(update_fields=["assessment", "updated_at"])
    audit.record(
        actor=actor,
        action="cycle.participation_started",
        organisation_id=participation.organisation_id,
        obj=participation.cycle,
        changes={"assessment": str(assessment.public_id)},
    )
    return assessment


def _reminder_text(participation: Participation, step: str) -> tuple[str, str]:
    cycle = participation.cycle
    subject = _("Reminder: %(cycle)s closes on %(date)s") % {"cycle": cycle.name, "date": cycle.closes_on.isoformat()}
    lines = {
        ParticipationStep.INVITED: _("Your organisation has not started its assessment for this cycle yet."),
        ParticipationStep.STARTED: _("Your organisation's assessment for this cycle has not been submitted yet."),
        ParticipationStep.SUBMITTED: _(
            "Your organisation's assessment has been submitted; it still has to be made final."
        ),
    }
    body = "\n\n".join([lines[step], f"{settings.SITE_URL}/", _("This message is sent once for this step.")])
    return subject, body


def send_due_reminders(*, today: date | None = None, cycle: Cycle | None = None) -> int:
    """Send one reminder per participation and step for open cycles that close within two weeks
    (all such cycles, or only `cycle` when a coordinator asks for its own).

    The Reminder row is written first under a unique key: a second run, or a second worker at
    the same moment, finds it and sends nothing. Returns how many reminders were sent.
    """
    today = today or timezone.localdate()
    sent = 0
    participations = Participation.objects.filter(
        cycle__opens_on__lte=today,
        cycle__closes_on__gte=today,
        cycle__closes_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE_CLOSE),
    ).select_related("cycle", "organisation", "assessment")
    if cycle is not None:
        participations = participations.filter(cycle=cycle)
    for participation in participations.iterator():
        step = participation_step(participation)
        if step == ParticipationStep.FINAL:
            continue
        recipients = list(
            Membership.objects.filter(
                organisation=participation.organisation,
                is_active=True,
                user__is_active=True,
                role__in=[Role.IBP_OFFICER, Role.BOARD_MEMBER],
            ).values_list("user__email", flat=True)
        )
        try:
            with transaction.atomic():
                Reminder.objects.create(participation=participation, step=step, recipients=len(recipients))
                audit.record(
                    actor=None,
                    action="cycle.reminder_sent",
                    organisation_id=participation.organisation_id,
                    obj=participation.cycle,
                    changes={"step": step, "recipients": len(recipients)},
                )
                if recipients:
                    subject, body = _reminder_text(participation, step)
                    transaction.on_commit(
                        lambda s=subject, b=body, r=recipients: send_mail(s, b, settings.DEFAULT_FROM_EMAIL, r)
                    )
        except IntegrityError:
            continue  # already reminded for this step
        sent += 1
    return sent


@transaction.atomic
def request_reminders(*, actor, cycle: Cycle) -> None:
    """A coordinator asks for the due reminders of one of its cycles now rather than at the next
    scheduled run. The sending itself stays once per participation and step."""
    require(actor, Action.SECTOR_COORDINATE, cycle.coordinator_id)
    audit.record(actor=actor, action="cycle.reminders_requested", organisation_id=cycle.coordinator_id, obj=cycle)
    from weerbaar.monitor.tasks import send_reminders_task

    transaction.on_commit(lambda: send_reminders_task.enqueue(cycle.pk))


@transaction.atomic
def refresh_cycle(*, cycle: Cycle, full: bool = False, organisation_ids: Iterable[int] | None = None) -> int:
    """Bring the cycle's organisation results and anonymised aggregates up to date with the final
    assessments of its participants. Derived data only: nothing here is typed in by anyone.
    Returns the number of organisations counted.

    Incremental (the default, what the task runs after an assessment became final): the scores
    of a final assessment are stored when it becomes final (`assessments.ScoreRollup`); only
    final assessments without them (loaded in bulk) are scored here, set-based, from their norm
    scores, and only organisations whose final assessment changed get new result rows. With
    `full`, every participant is scored again from the norm scores (stored scores that differ
    are corrected) and every result is rewritten. Either way the aggregates are then computed by
    the database over the result scores, and only cells that changed are rewritten.

    `organisation_ids` (incremental only) limits the comparison of final assessments and result
    rows to these organisations: what the task runs after one assessment became final, so that
    it need not look at every participant to find the one that changed. The cells are computed
    over the whole cycle either way."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    domain_codes = list(cycle.framework_version.domains.order_by("position").values_list("code", flat=True))
    final = Participation.objects.filter(cycle=cycle, assessment__status=AssessmentStatus.FINAL)
    results = OrganisationResult.objects.filter(cycle=cycle)
    if organisation_ids is not None and not full:
        organisation_ids = list(organisation_ids)
        final = final.filter(organisation_id__in=organisation_ids)
        results = results.filter(organisation_id__in=organisation_ids)
    if full:
        scored = participant_scores(cycle)
        _correct_rollups(cycle, {p.assessment_id: (p.domains, p.overall) for p in scored})
        changed = _replace_results(cycle, scored)
    else:
        _roll_up_missing(cycle, final, domain_codes)
        changed = _update_results(cycle, final, results, domain_codes)
    if changed:
        ResultScore.objects.filter(cycle=cycle, organisation_id__in=changed).delete()
        _copy_result_scores(cycle, changed)
    counted = OrganisationResult.objects.filter(cycle=cycle).count()
    store_aggregates(cycle=cycle, domain_codes=domain_codes)
    return counted


def _rolled_up(scores: tuple) -> dict[str, float | None]:
    domains, overall = scores
    rows = {code: score for code, score in domains.items() if score is not None and code != ScoreRollup.OVERALL}
    return {ScoreRollup.OVERALL: overall, **rows}


def _replace_results(cycle: Cycle, scored: list) -> set[int]:
    """Compare every participant's result computed from the norm scores with its stored row, and
    rewrite only the rows that differ (and drop those of organisations no longer final).
    Returns the organisations whose rows were dropped or written."""
    wanted = {p.organisation_id: p for p in scored}
    # Model instances only for the rows written (normally none): building ten thousand to compare
    # them cost more than the comparison.
    stored = {
        organisation_id: (sector, overall, domains, finalised_at)
        for organisation_id, sector, overall, domains, finalised_at in OrganisationResult.objects.filter(
            cycle=cycle
        ).values_list("organisation_id", "sector", "overall", "domains", "finalised_at")
    }
    changed = {
        organisation_id
        for organisation_id, p in wanted.items()
        if stored.get(organisation_id) != (p.sector, p.overall, p.domains, p.finalised_at)
    }
    dropped = set(stored) - set(wanted)
    gone = (changed & set(stored)) | dropped
    if gone:
        OrganisationResult.objects.filter(cycle=cycle, organisation_id__in=gone).delete()
    OrganisationResult.objects.bulk_create(
        [
            OrganisationResult(
                cycle=cycle,
                organisation_id=o,
                sector=wanted[o].sector,
                overall=wanted[o].overall,
                domains=dict(wanted[o].domains),
                finalised_at=wanted[o].finalised_at,
            )
            for o in sorted(changed)
        ],
        batch_size=2000,
    )
    return changed | dropped


def _correct_rollups(cycle: Cycle, scored: dict[int, tuple]) -> None:
    """Compare the stored scores of the cycle's final assessments with those just computed from
    the norm scores, and store again only those that differ or are missing (normally none: a
    final assessment is locked)."""
    stored: dict[int, dict[str, float | None]] = {}
    for assessment_id, column, score in raw_rows(
        ScoreRollup.objects.filter(
            assessment__participation__cycle=cycle, assessment__status=AssessmentStatus.FINAL
        ).values_list("assessment_id", "column", "score")
    ):
        stored.setdefault(assessment_id, {})[column] = score
    differ = {i: scores for i, scores in scored.items() if stored.get(i) != _rolled_up(scores)}
    assessment_services.store_rollups(scores=differ, replace=True)


def _roll_up_missing(cycle: Cycle, final, domain_codes: list[str]) -> None:
    """Score, from their norm scores, the final assessments that have no stored scores yet."""
    missing = final.exclude(
        Exists(ScoreRollup.objects.filter(assessment_id=OuterRef("assessment_id"), column=ScoreRollup.OVERALL))
    ).values_list("assessment_id", flat=True)
    ids = list(missing)
    if not ids:
        return
    sums = domain_sums(cycle, assessment_ids=missing)
    assessment_services.store_rollups(scores={i: scores_from_sums(domain_codes, sums.get(i, {})) for i in ids})


def _update_results(cycle: Cycle, final, results, domain_codes: list[str]) -> set[int]:
    """Rewrite the result rows (of `results`) of organisations whose final assessment (in
    `final`) or sector changed, from the stored scores, and drop those of organisations no longer
    final in the cycle. Returns the organisations whose rows were dropped or written."""
    current = final.annotate(sector_code=Coalesce("organisation__sector__code", Value("")))
    stale = results.exclude(
        Exists(
            current.filter(
                organisation_id=OuterRef("organisation_id"),
                assessment__finalised_at=OuterRef("finalised_at"),
                sector_code=OuterRef("sector"),
            )
        )
    )
    dropped = set(stale.values_list("organisation_id", flat=True))
    if dropped:
        OrganisationResult.objects.filter(cycle=cycle, organisation_id__in=dropped).delete()
    changed = list(
        current.exclude(
            Exists(OrganisationResult.objects.filter(cycle=cycle, organisation_id=OuterRef("organisation_id")))
        ).values_list("organisation_id", "assessment_id", "sector_code", "assessment__finalised_at")
    )
    if not changed:
        return dropped
    stored: dict[int, dict[str, float | None]] = {}
    for assessment_id, column, score in ScoreRollup.objects.filter(
        assessment_id__in=[assessment_id for _o, assessment_id, _s, _f in changed]
    ).values_list("assessment_id", "column", "score"):
        stored.setdefault(assessment_id, {})[column] = score
    results = []
    for organisation_id, assessment_id, sector, finalised_at in changed:
        scores = stored.get(assessment_id, {})
        domains = dict.fromkeys(domain_codes)
        domains.update({code: score for code, score in scores.items() if code != ScoreRollup.OVERALL})
        results.append(
            OrganisationResult(
                cycle=cycle,
                organisation_id=organisation_id,
                sector=sector,
                overall=scores.get(ScoreRollup.OVERALL),
                domains=domains,
                finalised_at=finalised_at,
            )
        )
    OrganisationResult.objects.bulk_create(results, batch_size=2000)
    return dropped | {organisation_id for organisation_id, *_rest in changed}


_COPY_SCORES_SQL = """
INSERT INTO {result_score} ({rs_cycle}, {rs_organisation}, {rs_sector}, {rs_column}, {rs_score})
SELECT res.{res_cycle}, res.{res_organisation}, res.{res_sector}, r.{r_column}, r.{r_score}
FROM {result} res
JOIN {participation} p ON p.{p_cycle} = res.{res_cycle} AND p.{p_organisation} = res.{res_organisation}
JOIN {rollup} r ON r.{r_assessment} = p.{p_assessment}
WHERE res.{res_cycle} = %s AND r.{r_score} IS NOT NULL
"""


def _copy_result_scores(cycle: Cycle, organisation_ids: set[int] | None = None) -> None:
    """Write the result scores of the cycle (or of some organisations) from the result rows and
    the stored scores of their assessments, in the database: one INSERT ... SELECT, no rows
    through Python."""
    q = connection.ops.quote_name

    def column(model, name: str) -> str:
        return q(model._meta.get_field(name).column)

    sql = _COPY_SCORES_SQL.format(
        result_score=q(ResultScore._meta.db_table),
        rs_cycle=column(ResultScore, "cycle"),
        rs_organisation=column(ResultScore, "organisation"),
        rs_sector=column(ResultScore, "sector"),
        rs_column=column(ResultScore, "column"),
        rs_score=column(ResultScore, "score"),
        result=q(OrganisationResult._meta.db_table),
        res_cycle=column(OrganisationResult, "cycle"),
        res_organisation=column(OrganisationResult, "organisation"),
        res_sector=column(OrganisationResult, "sector"),
        participation=q(Participation._meta.db_table),
        p_cycle=column(Participation, "cycle"),
        p_organisation=column(Participation, "organisation"),
        p_assessment=column(Participation, "assessment"),
        rollup=q(ScoreRollup._meta.db_table),
        r_assessment=column(ScoreRollup, "assessment"),
        r_column=column(ScoreRollup, "column"),
        r_score=column(ScoreRollup, "score"),
    )
    if organisation_ids is not None and len(organisation_ids) > 500:
        # Many organisations (a first refresh): copy the whole cycle after clearing it.
        ResultScore.objects.filter(cycle=cycle).delete()
        organisation_ids = None
    with connection.cursor() as cursor:
        if organisation_ids is None:
            cursor.execute(sql, [cycle.pk])
            return
        ids = sorted(organisation_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"{sql} AND res.{column(OrganisationResult, 'organisation')} IN ({marks})", [cycle.pk, *chunk]
            )


def store_aggregates(*, cycle: Cycle, domain_codes: list[str]) -> None:
    """Compute every cell of the cycle in the database (`queries.cycle_cells`), apply the
    anonymity rules to the counts (`benchmark.hidden_cells`), and write the cells that changed."""
    before = previous_cycle(cycle)
    previous = {}
    if before is not None:
        previous = {
            (row.group, row.column): row.mean for row in CycleAggregate.objects.filter(cycle=before, suppressed=False)
        }
    figures = cycle_cells(cycle)
    # Every sector of a final participant is a group, even one whose members have no score.
    sectors = sorted(set(OrganisationResult.objects.filter(cycle=cycle).values_list("sector", flat=True)))
    columns = ["overall", *domain_codes]
    groups = ["all", *sectors]

    def count(group: str, column: str) -> int:
        cell = figures.get((group, column))
        return cell.count if cell else 0

    members = {
        column: {
            "all": PrefixMembers({sector: count(sector, column) for sector in sectors}),
            **{sector: PrefixMembers({sector: count(sector, column)}) for sector in sectors},
        }
        for column in columns
    }
    hidden = hidden_cells(members, sectors, settings.BENCHMARK_MIN_GROUP)
    now = timezone.now()
    wanted: dict[tuple[str, str], dict] = {}
    for column in columns:
        for group in groups:
            cell = figures.get((group, column))
            if group in hidden[column] or cell is None:
                wanted[(group, column)] = {
                    "suppressed": True,
                    "count": None,
                    "mean": None,
                    "median": None,
                    "q1": None,
                    "q3": None,
                    "distribution": {},
                    "share_at_target": None,
                    "change": None,
                }
                continue
            wanted[(group, column)] = {
                "suppressed": False,
                "count": cell.count,
                "mean": cell.mean,
                "median": cell.median,
                "q1": cell.q1,
                "q3": cell.q3,
                "distribution": {str(level): n for level, n in zip(LEVEL_BANDS, cell.bands, strict=True)},
                "share_at_target": cell.at_target / cell.count,
                "change": cell_change(cell.mean, previous.get((group, column))),
            }
    existing = {(row.group, row.column): row for row in CycleAggregate.objects.filter(cycle=cycle)}
    changed, created = [], []
    for key, values in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            created.append(CycleAggregate(cycle=cycle, group=key[0], column=key[1], computed_at=now, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    if existing:
        CycleAggregate.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    if changed:
        CycleAggregate.objects.bulk_update(changed, list(wanted[next(iter(wanted))]))
    CycleAggregate.objects.bulk_create(created)
    # Every cell is now as of this refresh, changed or not: the staleness check compares this
    # moment with the newest final assessment.
    CycleAggregate.objects.filter(cycle=cycle).update(computed_at=now)


# --- stored sector figures ---------------------------------------------------------------------


def reader_sector_sets(cycles: list[Cycle]) -> list[list[str]]:
    """The sets of sectors readers of these cycles see (`selectors.visible_groups` without the
    total): each cycle's sectors, as councils, the ministry and the inspectorate see them, and
    those within each coordinating organisation's served sectors."""
    served = [
        {sector.code for sector in organisation.served_sectors.all()}
        for organisation in Organisation.objects.filter(served_sectors__isnull=False)
        .distinct()
        .prefetch_related("served_sectors")
    ]
    sets = []
    for cycle in cycles:
        codes = [sector.code for sector in cycle.sectors.all()]
        for wanted in [codes, *[[code for code in codes if code in reach] for reach in served]]:
            if wanted and wanted not in sets:
                sets.append(wanted)
    return sets


def store_sector_figures(*, sector_codes: list[str], years, on_track: dict | None = None, keep: dict | None = None):
    """Compute and store the sector figures of one set of sectors (see `SectorFigures`). Figures
    of other governance years already stored in `keep` stay."""
    from weerbaar.monitor.selectors import compute_sector_figures, figures_key

    figures = compute_sector_figures(sector_codes, years, on_track=on_track)
    if keep:
        figures["governance"] = {**keep.get("governance", {}), **figures["governance"]}
    row, _created = SectorFigures.objects.update_or_create(
        sectors=figures_key(sector_codes),
        defaults={"figures": figures, "computed_at": timezone.now(), "computed_on": timezone.localdate()},
    )
    return row


def refresh_sector_figures() -> int:
    """Recompute every stored set of sector figures and those of the sets readers are known to
    have, for the governance year of every cycle. Returns the number of sets. The rows are marked
    fresh before the computation, so that a change during it queues the next refresh."""
    from weerbaar.monitor.selectors import shares_on_track
    from weerbaar.organisations.models import Sector

    SectorFigures.objects.filter(stale=True).update(stale=False)
    cycles = list(Cycle.objects.prefetch_related("sectors").order_by("opens_on", "pk"))
    years = sorted({cycle.opens_on.year - 1 for cycle in cycles})
    stored = {row.sectors: row.figures for row in SectorFigures.objects.all()}
    sets = reader_sector_sets(cycles)
    for key in stored:
        codes = key.split(",") if key else []
        if codes not in sets:
            sets.append(codes)
    on_track = shares_on_track(list(Sector.objects.all()))
    for codes in sets:
        key = ",".join(codes)
        kept_years = sorted({*years, *(int(y) for y in stored.get(key, {}).get("governance", {}))})
        store_sector_figures(sector_codes=codes, years=kept_years, on_track=on_track)
    return len(sets)


def queue_sector_figures_refresh(stale: list[int] | None = None) -> bool:
    """Mark the stored sector figures (or the rows `stale`) as stale and queue one refresh: while
    one is queued, further changes queue nothing more. Returns whether a refresh was queued."""
    rows = SectorFigures.objects.filter(stale=False)
    if stale is not None:
        rows = rows.filter(pk__in=stale)
    if not rows.update(stale=True):
        return False
    from weerbaar.monitor.tasks import refresh_sector_figures_task

    refresh_sector_figures_task.enqueue()
    return True


@transaction.atomic
def set_measure_status(
    *,
    actor,
    organisation: Organisation,
    measure: BasicMeasure,
    state: str,
    as_of: date | None = None,
    evidence: str = "",
) -> MeasureStatus:
    require(actor, Action.POSTURE_EDIT, organisation.pk)
    if state not in MeasureState.values:
        raise ValidationError({"state": _("Choose a valid status.")})
    evidence = (evidence or "").strip()
    if len(evidence) > 5000:
        raise ValidationError(
            {"evidence": _("This text is too long (at most %(limit)d characters).") % {"limit": 5000}}
        )
    if as_of and as_of > timezone.localdate() and state == MeasureState.IN_PLACE:
        raise ValidationError({"as_of": _("A measure that is in place cannot have a date in the future.")})
    status = MeasureStatus.objects.filter(organisation=organisation, measure=measure).first()
    old = status.state if status else None
    if status is None:
        status = MeasureStatus(organisation=organisation, measure=measure)
    status.state, status.as_of, status.evidence, status.updated_by = state, as_of, evidence, actor
    status.save()
    audit.record(
        actor=actor,
        action="posture.measure_set",
        organisation_id=organisation.pk,
        obj=status,
        object_label=measure.code,
        changes={"state": [old, state], "as_of": as_of.isoformat() if as_of else None},
    )
    return status


@transaction.atomic
def set_soc_connection(
    *,
    actor,
    organisation: Organisation,
    status: str,
    provider: str = "",
    planned_on: date | None = None,
    connected_on: date | None = None,
) -> SocConnection:
    require(actor, Action.POSTURE_EDIT, organisation.pk)
    errors = {}
    provider = (provider or "").strip()
    if status not in SocStatus.values:
        errors["status"] = _("Choose a valid status.")
    if len(provider) > 200:
        errors["provider"] = _("This text is too long (at most %(limit)d characters).") % {"limit": 200}
    if status == SocStatus.PLANNED and planned_on is None:
        errors["planned_on"] = _("Give the planned date of the connection.")
    if status in (SocStatus.CONNECTED, SocStatus.PLANNED) and not provider:
        errors["provider"] = _("Name the SOC provider.")
    if errors:
        raise ValidationError(errors)
    if status != SocStatus.PLANNED:
        planned_on = None
    if status != SocStatus.CONNECTED:
        connected_on = None
    connection = SocConnection.objects.filter(organisation=organisation).first() or SocConnection(
        organisation=organisation
    )
    old = connection.status if connection.pk else None
    connection.status, connection.provider, connection.planned_on, connection.connected_on = (
        status,
        provider,
        planned_on,
        connected_on,
    )
    connection.updated_by = actor
    connection.save()
    audit.record(
        actor=actor,
        action="posture.soc_set",
        organisation_id=organisation.pk,
        obj=connection,
        changes={
            "status": [old, status],
            "provider": provider,
            "planned_on": planned_on.isoformat() if planned_on else None,
        },
    )
    return connection


@transaction.atomic
def load_demo_monitor(*, actor, seed: int = 2026, today: date | None = None) -> dict | None:
    """Fill the demo sector with three years of measurement cycles, final assessments that
    improve at different speeds, organisations that do not take part, basic measures and SOC
    connections, then compute every cycle's aggregates.

    System data for the demo only (never in production, never by a person): assessments and
    their scores are written in bulk rather than norm by norm, with one audit entry per cycle.
    Returns None, changing nothing, when the demo cycles already exist.
    """
    from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
    from weerbaar.assessments.models import NormScore
    from weerbaar.core.tenancy import NotPermitted
    from weerbaar.frameworks.models import FrameworkVersion
    from weerbaar.monitor import demo
    from weerbaar.organisations.demo import DEMO_EMAIL_DOMAIN

    if actor is not None:
        raise NotPermitted("the demo monitor is loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo monitor is never loaded in production")
    today = today or timezone.localdate()
    plans = demo.demo_cycles(today)
    coordinators = {
        "sivon": Organisation.objects.filter(name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION).first(),
        "surf": Organisation.objects.filter(name="SURF", kind=OrganisationKind.SECTOR_ORGANISATION).first(),
    }
    if Cycle.objects.filter(
        name__in=[p.name for p in plans], coordinator__in=[c for c in coordinators.values() if c]
    ).exists():
        return None
    # The demo people's own organisations always take part, so their pages have a history.
    demo_homes = set(
        Membership.objects.filter(user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}", role=Role.IBP_OFFICER).values_list(
            "organisation_id", flat=True
        )
    )
    auditor = (
        Membership.objects.filter(role=Role.AUDITOR, is_active=True).select_related("user", "organisation").first()
    )
    start_year = today.year - 2
    counts = {"cycles": 0, "assessments": 0, "scores": 0, "measures": 0, "soc": 0}
    maturity: dict[int, float] = {}
    sector_of: dict[int, str] = {}
    names: dict[int, str] = {}
    created_cycles = []
    for plan in plans:
        coordinator = coordinators.get(plan.coordinator)
        version = (
            FrameworkVersion.objects.filter(
                framework__code=plan.framework_code,
                label=plan.version_label,
                status=VersionStatus.PUBLISHED,
                scored=True,
            )
            .select_related("framework")
            .first()
        )
        if coordinator is None or version is None:
            continue
        sectors = list(coordinator.served_sectors.filter(code__in=plan.sectors))
        cycle = Cycle.objects.create(
            name=plan.name,
            kind=plan.kind,
            framework_version=version,
            opens_on=plan.opens_on,
            closes_on=plan.closes_on,
            coordinator=coordinator,
            opened_by=None,
        )
        cycle.sectors.set(sectors)
        organisations = list(
            Organisation.objects.filter(sector__in=sectors, kind__in=PARTICIPATING_KINDS, is_active=True)
            .select_related("sector")
            .order_by("name")
        )
        participations = Participation.objects.bulk_create(
            [Participation(cycle=cycle, organisation=organisation) for organisation in organisations]
        )
        norms = list(version.norms.order_by("position").values_list("pk", "code", "domain__code"))
        domain_codes = sorted({domain for _pk, _code, domain in norms})
        years = (plan.opens_on - date(start_year, 3, 1)).days / 365.25
        last_day = min(plan.closes_on, today - timedelta(days=1))
        assessments, steps = [], []
        for participation, organisation in zip(participations, organisations, strict=True):
            key = organisation.name
            profile = demo.profile(seed, key, domain_codes, always_takes_part=organisation.pk in demo_homes)
            maturity[organisation.pk] = profile.mean_in((today - date(start_year, 3, 1)).days / 365.25)
            sector_of[organisation.pk] = organisation.sector.code
            names[organisation.pk] = key
            step = demo.outcome(seed, key, plan, profile)
            if organisation.pk in demo_homes:
                # The demo IBP officer's history is complete, and in the open cycle they get to
                # press "take part" themselves.
                step = None if plan.current and plan.coordinator == "sivon" else ParticipationStep.FINAL
            if step is None:
                continue
            finished = demo.day_in(seed, key, plan, plan.opens_on + timedelta(days=14), last_day)
            at = timezone.make_aware(datetime.combine(finished, time(12, 0)))
            audited = (
                plan.coordinator == "surf"
                and organisation.sector.code in ("MBO", "HBO", "WO")
                and (demo.rng_for(seed, "audit", key, plan.name).random() < 0.6)
            )
            assessments.append(
                (
                    participation,
                    Assessment(
                        organisation=organisation,
                        framework_version=version,
                        title=plan.name,
                        kind=AssessmentKind.EXTERNAL_AUDIT if audited else AssessmentKind.SELF,
                        status={
                            ParticipationStep.STARTED: AssessmentStatus.DRAFT,
                            ParticipationStep.SUBMITTED: AssessmentStatus.SUBMITTED,
                            ParticipationStep.FINAL: AssessmentStatus.FINAL,
                        }[step],
                        submitted_at=at if step != ParticipationStep.STARTED else None,
                        finalised_at=at if step == ParticipationStep.FINAL else None,
                        reviewer=auditor.user if audited and auditor else None,
                        reviewer_organisation=auditor.organisation if audited and auditor else None,
                    ),
                    demo.levels(
                        seed,
                        key,
                        plan,
                        profile,
                        [(code, domain) for _pk, code, domain in norms],
                        years,
                        answered_share=0.5 if step == ParticipationStep.STARTED else 1.0,
                    ),
                )
            )
            steps.append(step)
        Assessment.objects.bulk_create([a for _p, a, _l in assessments])
        scores = []
        for participation, assessment, chosen in assessments:
            participation.assessment = assessment
            scores.extend(
                NormScore(assessment=assessment, norm_id=pk, level=chosen[code]) for pk, code, _domain in norms
            )
        NormScore.objects.bulk_create(scores, batch_size=2000)
        Participation.objects.bulk_update([p for p, _a, _l in assessments], ["assessment"])
        audit.record(
            actor=None,
            action="cycle.demo_loaded",
            organisation_id=coordinator.pk,
            obj=cycle,
            changes={
                "invited": len(participations),
                "assessments": len(assessments),
                "final": sum(1 for s in steps if s == ParticipationStep.FINAL),
            },
        )
        counts["cycles"] += 1
        counts["assessments"] += len(assessments)
        counts["scores"] += len(scores)
        created_cycles.append(cycle)
    for cycle in created_cycles:
        refresh_cycle(cycle=cycle)

    measure_codes = dict(BasicMeasure.objects.values_list("code", "pk"))
    statuses, connections = [], []
    for organisation_id, level in sorted(maturity.items()):
        for code, (state, as_of) in demo.measure_states(
            seed, names[organisation_id], level, list(measure_codes), today
        ).items():
            statuses.append(
                MeasureStatus(organisation_id=organisation_id, measure_id=measure_codes[code], state=state, as_of=as_of)
            )
        plan = demo.soc_plan(seed, names[organisation_id], sector_of[organisation_id], level, today)
        if plan is not None:
            status, provider, planned_on, connected_on = plan
            connections.append(
                SocConnection(
                    organisation_id=organisation_id,
                    status=status,
                    provider=provider,
                    planned_on=planned_on,
                    connected_on=connected_on,
                )
            )
    existing_measures = set(MeasureStatus.objects.values_list("organisation_id", "measure_id"))
    statuses = [s for s in statuses if (s.organisation_id, s.measure_id) not in existing_measures]
    existing_soc = set(SocConnection.objects.values_list("organisation_id", flat=True))
    connections = [c for c in connections if c.organisation_id not in existing_soc]
    MeasureStatus.objects.bulk_create(statuses, batch_size=2000)
    SocConnection.objects.bulk_create(connections)
    counts["measures"], counts["soc"] = len(statuses), len(connections)
    audit.record(actor=None, action="monitor.demo_loaded", organisation_id=None, changes={"seed": seed, **counts})
    return counts
