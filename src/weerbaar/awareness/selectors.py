"""Reads of the awareness app. Lists are always scoped to what the user may see; the year summary
and the sector figures are plain aggregates for callers that checked access themselves."""

from datetime import date

from django.db.models import Count, Max, Q, Sum

from weerbaar.awareness.choices import ActivityKind, PeopleGroup
from weerbaar.awareness.models import Activity, GroupParticipation
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
