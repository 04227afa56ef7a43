"""Reads of the awareness app. Lists are always scoped to what the user may see; the year summary
and the sector figures are plain aggregates for callers that checked access themselves."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from weerbaar.awareness.choices import ActivityKind, PeopleGroup
from weerbaar.awareness.models import Activity, Enrolment, ExerciseFinding, GroupParticipation, TrainingOffer
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import access, visible_organisations
from weerbaar.monitor.benchmark import OrganisationScores, aggregate_cycle
from weerbaar.organisations.choices import MEASURED_KINDS
from weerbaar.organisations.models import Organisation


def year_summary(*, organisation: Organisation, year: int) -> dict:
    """The awareness figures of one organisation for one calendar year (1 January to 31
    December), used by the annual-report paragraph and the supervisory-board view.

    The caller has already decided that its user may see this organisation's governance data;
    this function reads the organisation itself only (not the schools under a board).

    Keys (stable; governance relies on them):
      campaigns, trainings, phishing_simulations, exercises: activities of that kind held
          (dated) in the year;
      phishing_sent, phishing_opened, phishing_clicked, phishing_reported: sums over the
          year's phishing simulations (0 when there were none);
      phishing_report_rate: reported / sent as a float 0–1, None when nothing was sent;
      phishing_click_rate: clicked / sent as a float 0–1, None when nothing was sent;
      last_exercise_date: the date of the latest crisis exercise held on or before 31
          December of the year (it may lie in an earlier year), None when there was none;
      participation_rate: people who took part / people invited over every group
          participation of the year's activities, a float 0–1, None when nobody was invited;
      invited, participated: those two sums;
      groups_exercised: codes of the groups (choices.PeopleGroup) that took part in a crisis
          exercise in the year, in the order of PeopleGroup.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    activities = Activity.objects.filter(organisation=organisation)
    in_year = activities.filter(held_on__gte=start, held_on__lte=end)
    counts = in_year.aggregate(
        campaigns=Count("pk", filter=Q(kind=ActivityKind.CAMPAIGN)),
        trainings=Count("pk", filter=Q(kind=ActivityKind.TRAINING)),
        phishing_simulations=Count("pk", filter=Q(kind=ActivityKind.PHISHING)),
        exercises=Count("pk", filter=Q(kind=ActivityKind.EXERCISE)),
        phishing_sent=Sum("sent", filter=Q(kind=ActivityKind.PHISHING), default=0),
        phishing_opened=Sum("opened", filter=Q(kind=ActivityKind.PHISHING), default=0),
        phishing_clicked=Sum("clicked", filter=Q(kind=ActivityKind.PHISHING), default=0),
        phishing_reported=Sum("reported", filter=Q(kind=ActivityKind.PHISHING), default=0),
    )
    last_exercise = activities.filter(kind=ActivityKind.EXERCISE, held_on__lte=end).aggregate(last=Max("held_on"))[
        "last"
    ]
    people = GroupParticipation.objects.filter(activity__in=in_year).aggregate(
        invited=Sum("invited", default=0), participated=Sum("participated", default=0)
    )
    exercised: set[str] = set()
    for groups in in_year.filter(kind=ActivityKind.EXERCISE).values_list("groups", flat=True):
        exercised.update(groups or [])
    sent = counts["phishing_sent"]
    return {
        **counts,
        "phishing_report_rate": counts["phishing_reported"] / sent if sent else None,
        "phishing_click_rate": counts["phishing_clicked"] / sent if sent else None,
        "last_exercise_date": last_exercise,
        "invited": people["invited"],
        "participated": people["participated"],
        "participation_rate": people["participated"] / people["invited"] if people["invited"] else None,
        "groups_exercised": [code for code in PeopleGroup.values if code in exercised],
    }


# --- lists for a user ----------------------------------------------------------------------------


def activities_for(user, organisation: Organisation, *, kind: str = "", year: int | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.visible_to(user, Action.AWARENESS_VIEW).filter(organisation=organisation)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.annotate(finding_count=Count("findings", distinct=True)).order_by("-held_on", "-created_at")


def access_activity(user, public_id, action: Action = Action.AWARENESS_VIEW) -> Activity:
    return access(Activity.objects.select_related("organisation", "offer"), user, action, public_id=public_id)


def participations_of(activity: Activity) -> list[GroupParticipation]:
    return list(activity.participations.order_by("group"))


def findings_of(activity: Activity) -> list[ExerciseFinding]:
    return list(activity.findings.select_related("action", "action__owner").order_by("created_at", "id"))


def awareness_organisations(user, action: Action = Action.AWARENESS_VIEW) -> QuerySet[Organisation]:
    return visible_organisations(user, action).filter(kind__in=MEASURED_KINDS).order_by("name")


def offers_for(user) -> QuerySet[TrainingOffer]:
    """Courses of the central offer the user may read: published ones offered to a sector of an
    organisation whose awareness the user may see, and every course of a coordinator the user
    works for (drafts included)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return TrainingOffer.objects.none()
    sectors = visible_organisations(user, Action.AWARENESS_VIEW).values("sector_id")
    offered = TrainingOffer.objects.filter(published=True, sectors__in=sectors).values("pk")
    own = TrainingOffer.objects.visible_to(user, Action.SECTOR_COORDINATE).values("pk")
    return (
        TrainingOffer.objects.filter(Q(pk__in=offered) | Q(pk__in=own))
        .select_related("coordinator")
        .prefetch_related("sectors")
        .order_by("starts_on", "title")
    )


def access_offer(user, public_id) -> TrainingOffer:
    try:
        return offers_for(user).get(public_id=public_id)
    except (TrainingOffer.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def access_offer_to_change(user, public_id) -> TrainingOffer:
    offers = TrainingOffer.objects.select_related("coordinator")
    return access(offers, user, Action.SECTOR_COORDINATE, public_id=public_id)


def coordinator_organisations(user) -> QuerySet[Organisation]:
    """Organisations for which the user may publish courses (its sector coordinators)."""
    return visible_organisations(user, Action.SECTOR_COORDINATE).filter(served_sectors__isnull=False).distinct()


def enrolments_for(user, offer: TrainingOffer) -> QuerySet[Enrolment]:
    """The enrolments of the organisations the user may see (a coordinator sees how many
    places were taken in total, not who: see offer_places)."""
    return Enrolment.objects.visible_to(user, Action.AWARENESS_VIEW).filter(offer=offer).select_related("organisation")


def offer_places(offer: TrainingOffer) -> dict:
    return offer.enrolments.aggregate(organisations=Count("pk"), places=Sum("places", default=0))


def enrollable_organisations(user, offer: TrainingOffer) -> QuerySet[Organisation]:
    return awareness_organisations(user, Action.AWARENESS_EDIT).filter(sector__in=offer.sectors.all())


# --- anonymised sector figures -------------------------------------------------------------------

FIGURE_COLUMNS = ("participation", "phishing_report", "exercised")


def organisation_values(today: date) -> list[OrganisationScores]:
    """Per measured organisation its figures over the last year: participation rate, phishing
    report rate (None when it had none) and whether it held a crisis exercise (1 or 0). Only the
    aggregation reads these; nobody is shown one."""
    from weerbaar.monitor.services import PARTICIPATING_KINDS

    since = today - timedelta(days=365)
    population = list(
        Organisation.objects.filter(kind__in=PARTICIPATING_KINDS, is_active=True, sector__isnull=False).values_list(
            "pk", "sector__code"
        )
    )
    window = Activity.objects.filter(held_on__gt=since, held_on__lte=today)
    people = {
        row["activity__organisation_id"]: row
        for row in GroupParticipation.objects.filter(activity__in=window)
        .values("activity__organisation_id")
        .annotate(invited=Sum("invited"), participated=Sum("participated"))
    }
    phishing = {
        row["organisation_id"]: row
        for row in window.filter(kind=ActivityKind.PHISHING)
        .values("organisation_id")
        .annotate(sent=Sum("sent"), reported=Sum("reported"))
    }
    exercised = set(window.filter(kind=ActivityKind.EXERCISE).values_list("organisation_id", flat=True))
    result = []
    for pk, code in population:
        p, f = people.get(pk), phishing.get(pk)
        participation = p["participated"] / p["invited"] if p and p["invited"] else None
        report = f["reported"] / f["sent"] if f and f["sent"] else None
        result.append(
            OrganisationScores(
                organisation_id=pk,
                sector=code,
                overall=participation,
                domains={"phishing_report": report, "exercised": 1.0 if pk in exercised else 0.0},
            )
        )
    return result


def sector_figures(sector_codes: list[str], today: date | None = None, min_group: int | None = None) -> list[dict]:
    """The anonymised awareness figures per group: 'all' sectors and each sector, each column
    with the benchmark's rules (minimum group besides a viewer, suppression, no differencing
    between groups or between columns). The groups are always computed over every sector, so
    they are the same for every viewer; then only the groups within `sector_codes` are returned
    ('all' only when every sector with organisations is within them)."""
    today = today or timezone.localdate()
    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    scores = organisation_values(today)
    cells = aggregate_cycle(scores, ["phishing_report", "exercised"], min_group)
    present = {s.sector for s in scores}
    allowed = set(sector_codes)
    groups = [code for code in sorted(present) if code in allowed]
    if present and present <= allowed:
        groups.insert(0, "all")
    by_group: dict[str, dict] = {group: {"group": group} for group in groups}
    for cell in cells:
        if cell.group in by_group:
            column = "participation" if cell.domain == "overall" else cell.domain
            by_group[cell.group][column] = cell.stats
    return [by_group[group] for group in groups]
