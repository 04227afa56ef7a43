"""Writes of the awareness app: activities and their participation (by hand or from a CSV
export), exercise evaluations whose findings become improvement actions, the central training
offer and enrolments, and the reminders. Every write checks permission, validates, writes and
appends to the audit log in one transaction."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.choices import ActionSource
from weerbaar.awareness import participation_csv
from weerbaar.awareness.choices import ActivityKind, PeopleGroup, ReminderKind, TrainingFormat
from weerbaar.awareness.models import (
    Activity,
    AwarenessReminder,
    Enrolment,
    ExerciseFinding,
    GroupParticipation,
    TrainingOffer,
)
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import require
from weerbaar.organisations.models import Membership, Organisation

MAX_TEXT = 10_000
MAX_COUNT = 1_000_000
MAX_REPEAT_MONTHS = 120
# Activities are recorded when held or planned; far-off dates are typing errors.
EARLIEST = date(2000, 1, 1)
MAX_DAYS_AHEAD = 2 * 366
EXERCISE_INTERVAL_DAYS = 365

PHISHING_FIELDS = ("sent", "opened", "clicked", "reported")
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "description",
    "held_on",
    "ends_on",
    "repeat_months",
    *PHISHING_FIELDS,
    "scenario",
    "groups",
    "offer",
)


def _text(value, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[: limit + 1]


def _date_error(value, today: date) -> str | None:
    if not isinstance(value, date):
        return _("Enter a valid date.")
    if value < EARLIEST or value > today + timedelta(days=MAX_DAYS_AHEAD):
        return _("This date is too far in the past or the future.")
    return None


def _clean_activity(organisation: Organisation, values: dict) -> dict:
    """The activity's fields checked together; raises ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    kind = values.get("kind")
    if kind not in ActivityKind.values:
        errors["kind"] = _("Choose a valid kind of activity.")
    title = _text(values.get("title"), 200)
    if not title:
        errors["title"] = _("Give the activity a title.")
    elif len(title) > 200:
        errors["title"] = _("This text is too long (at most %(limit)d characters).") % {"limit": 200}
    cleaned = {"kind": kind, "title": title}
    for name in ("description", "scenario"):
        text = _text(values.get(name))
        if len(text) > MAX_TEXT:
            errors[name] = _("This text is too long (at most %(limit)d characters).") % {"limit": MAX_TEXT}
        cleaned[name] = text
    held_on = values.get("held_on")
    problem = _date_error(held_on, today)
    if problem:
        errors["held_on"] = problem
    cleaned["held_on"] = held_on
    ends_on = values.get("ends_on")
    if ends_on is not None:
        problem = _date_error(ends_on, today)
        if problem:
            errors["ends_on"] = problem
        elif isinstance(held_on, date) and ends_on < held_on:
            errors["ends_on"] = _("The end date lies before the start date.")
    cleaned["ends_on"] = ends_on

    counts = {name: values.get(name) for name in PHISHING_FIELDS}
    if kind == ActivityKind.PHISHING:
        for name, value in counts.items():
            if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[name] = _("Enter a whole number of 0 or more.")
            elif value > MAX_COUNT:
                errors[name] = _("This number is too large.")
        if not any(name in errors for name in PHISHING_FIELDS):
            if counts["sent"] == 0:
                errors["sent"] = _("A phishing simulation sends at least one e-mail.")
            if counts["opened"] > counts["sent"]:
                errors["opened"] = _("More e-mails opened than were sent.")
            if counts["clicked"] > counts["opened"]:
                errors["clicked"] = _("More people clicked than opened the e-mail.")
            if counts["reported"] > counts["sent"]:
                errors["reported"] = _("More reports than e-mails sent.")
        cleaned.update(counts)
    else:
        for name, value in counts.items():
            if value not in (None, ""):
                errors[name] = _("Only a phishing simulation has these counts.")
        cleaned.update(dict.fromkeys(PHISHING_FIELDS))

    groups = values.get("groups") or []
    if kind == ActivityKind.EXERCISE:
        if not cleaned["scenario"]:
            errors["scenario"] = _("Describe the scenario of the exercise.")
        if not isinstance(groups, list | tuple) or any(g not in PeopleGroup.values for g in groups):
            errors["groups"] = _("Choose valid groups.")
        elif not groups:
            errors["groups"] = _("Say who took part in the exercise.")
        else:
            cleaned["groups"] = [code for code in PeopleGroup.values if code in set(groups)]
    else:
        if groups:
            errors["groups"] = _("Only a crisis exercise records who took part this way; use participation.")
        if cleaned["scenario"]:
            errors["scenario"] = _("Only a crisis exercise has a scenario.")
        cleaned["groups"] = []

    repeat = values.get("repeat_months")
    if repeat not in (None, ""):
        if kind != ActivityKind.TRAINING:
            errors["repeat_months"] = _("Only a training is repeated.")
        elif isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT_MONTHS:
            errors["repeat_months"] = _("Enter a number of months from 1 to %(max)d.") % {"max": MAX_REPEAT_MONTHS}
    cleaned["repeat_months"] = repeat if repeat not in ("",) else None

    offer = values.get("offer")
    if offer is not None:
        if kind != ActivityKind.TRAINING:
            errors["offer"] = _("Only a training can follow a course of the central offer.")
        elif not offer.published or not offer.sectors.filter(pk=organisation.sector_id).exists():
            errors["offer"] = _("This course is not offered to your organisation's sector.")
    cleaned["offer"] = offer
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_activity(*, actor, organisation: Organisation, **values) -> Activity:
    """Record an awareness activity of the organisation."""
    require(actor, Action.AWARENESS_EDIT, organisation.pk)
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = _clean_activity(organisation, values)
    activity = Activity.objects.create(organisation=organisation, created_by=actor, **cleaned)
    audit.record(
        actor=actor,
        action="awareness.activity_created",
        organisation_id=organisation.pk,
        obj=activity,
        changes={"kind": activity.kind, "held_on": activity.held_on},
    )
    return activity


@transaction.atomic
def update_activity(*, actor, activity: Activity, **values) -> Activity:
    """Change an activity; its kind stays what it is (findings and participation depend on it)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "kind" in values and values["kind"] != activity.kind:
        raise ValidationError({"kind": _("The kind of an activity cannot be changed.")})
    merged = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    merged.update(values)
    cleaned = _clean_activity(activity.organisation, merged)
    changes = audit.field_changes(activity, list(cleaned), cleaned)
    if not changes:
        return activity
    for name, value in cleaned.items():
        setattr(activity, name, value)
    activity.save()
    audit.record(
        actor=actor,
        action="awareness.activity_changed",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes=changes,
    )
    return activity


@transaction.atomic
def delete_activity(*, actor, activity: Activity) -> None:
    """Remove an activity recorded by mistake. One with findings in the improvement plan stays:
    the actions would lose where they came from."""
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    if activity.findings.exists():
        raise ValidationError(_("This exercise has findings in the improvement plan and cannot be removed."))
    audit.record(
        actor=actor,
        action="awareness.activity_removed",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes={"kind": activity.kind, "title": activity.title, "held_on": activity.held_on},
    )
    activity.delete()


def _participation_errors(group, people, invited, participated) -> dict[str, str]:
    errors: dict[str, str] = {}
    if group not in PeopleGroup.values:
        errors["group"] = _("Choose a valid group.")
    for name, value in (("people", people), ("invited", invited), ("participated", participated)):
        if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[name] = _("Enter a whole number of 0 or more.")
        elif value > MAX_COUNT:
            errors[name] = _("This number is too large.")
    if errors:
        return errors
    if people == 0:
        errors["people"] = _("A group has at least one person.")
    if invited > people:
        errors["invited"] = _("More people invited than the group has.")
    if participated > invited:
        errors["participated"] = _("More people took part than were invited.")
    if participated > people:
        errors["participated"] = _("More people took part than the group has.")
    return errors


def _write_participation(activity: Activity, group: str, people: int, invited: int, participated: int):
    row, created = GroupParticipation.objects.update_or_create(
        activity=activity,
        group=group,
        defaults={"people": people, "invited": invited, "participated": participated},
    )
    return row, created


@transaction.atomic
def set_participation(
    *, actor, activity: Activity, group: str, people: int, invited: int, participated: int
) -> GroupParticipation:
    """Record (or correct) how many people of one group were invited and took part."""
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    errors = _participation_errors(group, people, invited, participated)
    if errors:
        raise ValidationError(errors)
    row, _created = _write_participation(activity, group, people, invited, participated)
    audit.record(
        actor=actor,
        action="awareness.participation_set",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes={"group": group, "people": people, "invited": invited, "participated": participated},
    )
    return row


@transaction.atomic
def remove_participation(*, actor, participation: GroupParticipation) -> None:
    activity = participation.activity
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    audit.record(
        actor=actor,
        action="awareness.participation_removed",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes={"group": participation.group},
    )
    participation.delete()


@transaction.atomic
def import_participation(*, actor, activity: Activity, content: bytes) -> dict[str, int]:
    """Apply a learning platform's CSV export to an activity: every row or none. Groups in the
    file replace what was recorded for them; other groups stay. Raises ValidationError with one
    message per problem (row and column) and writes nothing then. Returns {"rows", "created"}."""
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    try:
        rows = participation_csv.parse(content)
    except participation_csv.ImportRefusedError as refused:
        raise ValidationError([str(problem) for problem in refused.problems]) from None
    problems = []
    for row in rows:
        for column, message in _participation_errors(row.group, row.people, row.invited, row.participated).items():
            problems.append(str(participation_csv.Problem(row.row, column, message)))
    if problems:
        raise ValidationError(problems)
    created = 0
    for row in rows:
        _obj, was_created = _write_participation(activity, row.group, row.people, row.invited, row.participated)
        created += was_created
    audit.record(
        actor=actor,
        action="awareness.participation_imported",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes={"rows": len(rows), "groups": [row.group for row in rows]},
    )
    return {"rows": len(rows), "created": created}


# --- exercise evaluation -------------------------------------------------------------------------


def _require_exercise(activity: Activity) -> None:
    if activity.kind != ActivityKind.EXERCISE:
        raise ValidationError(_("Only a crisis exercise is evaluated with findings."))


@transaction.atomic
def record_evaluation(*, actor, activity: Activity, evaluation: str, evaluated_on: date) -> Activity:
    """Write down how the exercise went."""
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    _require_exercise(activity)
    errors = {}
    evaluation = _text(evaluation)
    if not evaluation:
        errors["evaluation"] = _("Write down how the exercise went.")
    elif len(evaluation) > MAX_TEXT:
        errors["evaluation"] = _("This text is too long (at most %(limit)d characters).") % {"limit": MAX_TEXT}
    problem = _date_error(evaluated_on, timezone.localdate())
    if problem:
        errors["evaluated_on"] = problem
    elif evaluated_on < activity.held_on:
        errors["evaluated_on"] = _("An exercise is evaluated after it was held.")
    elif evaluated_on > timezone.localdate():
        errors["evaluated_on"] = _("The evaluation date lies in the future.")
    if errors:
        raise ValidationError(errors)
    changes = audit.field_changes(
        activity, ["evaluation", "evaluated_on"], {"evaluation": evaluation, "evaluated_on": evaluated_on}
    )
    activity.evaluation = evaluation
    activity.evaluated_on = evaluated_on
    activity.save(update_fields=["evaluation", "evaluated_on", "updated_at"])
    audit.record(
        actor=actor,
        action="awareness.exercise_evaluated",
        organisation_id=activity.organisation_id,
        obj=activity,
        # The evaluation text itself may be long; the log says that it changed.
        changes={"evaluated_on": changes.get("evaluated_on"), "evaluation_changed": "evaluation" in changes},
    )
    return activity


@transaction.atomic
def add_finding(
    *, actor, activity: Activity, text: str, action_title: str = "", owner=None, due_date: date | None = None
) -> ExerciseFinding:
    """A finding of the exercise and its follow-up as an action in the organisation's one
    improvement plan (the same list as assessment gaps), created through the assessments app."""
    require(actor, Action.AWARENESS_EDIT, activity.organisation_id)
    _require_exercise(activity)
    text = _text(text)
    if not text:
        raise ValidationError({"text": _("Describe the finding.")})
    if len(text) > MAX_TEXT:
        message = _("This text is too long (at most %(limit)d characters).") % {"limit": MAX_TEXT}
        raise ValidationError({"text": message})
    title = _text(action_title, 300) or text.splitlines()[0][:300]
    try:
        action = assessment_services.create_improvement_action(
            actor=actor,
            organisation=activity.organisation,
            title=title,
            source=ActionSource.EXERCISE,
            description=_("Finding of the crisis exercise “%(title)s” of %(date)s:\n%(text)s")
            % {"title": activity.title, "date": activity.held_on.isoformat(), "text": text},
            owner=owner,
            due_date=due_date,
        )
    except ValidationError as exc:
        # The action's title is this form's action_title.
        if hasattr(exc, "error_dict") and "title" in exc.error_dict:
            raise ValidationError({"action_title": exc.error_dict["title"]}) from None
        raise
    finding = ExerciseFinding.objects.create(activity=activity, text=text, action=action)
    audit.record(
        actor=actor,
        action="awareness.finding_added",
        organisation_id=activity.organisation_id,
        obj=activity,
        changes={"finding": str(finding.public_id), "improvement_action": str(action.public_id)},
    )
    return finding


# --- central training offer ----------------------------------------------------------------------

OFFER_FIELDS = ("title", "description", "audience", "format", "starts_on", "ends_on", "published", "sectors")


def _clean_offer(coordinator: Organisation, values: dict) -> dict:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    title = _text(values.get("title"), 200)
    if not title:
        errors["title"] = _("Give the course a name.")
    elif len(title) > 200:
        errors["title"] = _("This text is too long (at most %(limit)d characters).") % {"limit": 200}
    description = _text(values.get("description"))
    if len(description) > MAX_TEXT:
        errors["description"] = _("This text is too long (at most %(limit)d characters).") % {"limit": MAX_TEXT}
    if values.get("audience") not in PeopleGroup.values:
        errors["audience"] = _("Choose a valid audience.")
    if values.get("format") not in TrainingFormat.values:
        errors["format"] = _("Choose a valid format.")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        problem = _date_error(value, today)
        if problem:
            errors[name] = problem
    if "starts_on" not in errors and "ends_on" not in errors and ends_on < starts_on:
        errors["ends_on"] = _("The end date lies before the start date.")
    sectors = list(values.get("sectors") or [])
    served = set(coordinator.served_sectors.values_list("pk", flat=True))
    if not sectors:
        errors["sectors"] = _("Choose at least one sector.")
    elif any(sector.pk not in served for sector in sectors):
        errors["sectors"] = _("You can only offer courses to the sectors your organisation serves.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "audience": values["audience"],
        "format": values["format"],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "published": bool(values.get("published")),
        "sectors": sectors,
    }


@transaction.atomic
def create_offer(*, actor, coordinator: Organisation, **values) -> TrainingOffer:
    """A sector coordinator adds a course to the central offer of the sectors it serves."""
    require(actor, Action.SECTOR_COORDINATE, coordinator.pk)
    unknown = set(values) - set(OFFER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = _clean_offer(coordinator, values)
    sectors = cleaned.pop("sectors")
    offer = TrainingOffer.objects.create(coordinator=coordinator, **cleaned)
    offer.sectors.set(sectors)
    audit.record(
        actor=actor,
        action="awareness.offer_created",
        organisation_id=coordinator.pk,
        obj=offer,
        changes={"sectors": sorted(s.code for s in sectors), "published": offer.published},
    )
    return offer


@transaction.atomic
def update_offer(*, actor, offer: TrainingOffer, **values) -> TrainingOffer:
    offer = TrainingOffer.objects.select_for_update().get(pk=offer.pk)
    require(actor, Action.SECTOR_COORDINATE, offer.coordinator_id)
    unknown = set(values) - set(OFFER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    merged = {name: getattr(offer, name) for name in OFFER_FIELDS if name != "sectors"}
    merged["sectors"] = list(offer.sectors.all())
    merged.update(values)
    cleaned = _clean_offer(offer.coordinator, merged)
    sectors = cleaned.pop("sectors")
    changes = audit.field_changes(offer, list(cleaned), cleaned)
    before = sorted(s.code for s in offer.sectors.all())
    after = sorted(s.code for s in sectors)
    if before != after:
        changes["sectors"] = [before, after]
    if not changes:
        return offer
    for name, value in cleaned.items():
        setattr(offer, name, value)
    offer.save()
    offer.sectors.set(sectors)
    audit.record(
        actor=actor, action="awareness.offer_changed", organisation_id=offer.coordinator_id, obj=offer, changes=changes
    )
    return offer


@transaction.atomic
def enrol(*, actor, offer: TrainingOffer, organisation: Organisation, places: int) -> Enrolment:
    """An organisation signs people up for a published course offered to its sector; enrolling
    again changes the number of places."""
    require(actor, Action.AWARENESS_EDIT, organisation.pk)
    if not offer.published or not offer.sectors.filter(pk=organisation.sector_id).exists():
        raise ValidationError(_("This course is not offered to your organisation's sector."))
    if offer.ends_on < timezone.localdate():
        raise ValidationError(_("This course has ended."))
    if isinstance(places, bool) or not isinstance(places, int) or places < 1:
        raise ValidationError({"places": _("Enter a number of places of 1 or more.")})
    if places > MAX_COUNT:
        raise ValidationError({"places": _("This number is too large.")})
    enrolment, created = Enrolment.objects.update_or_create(
        offer=offer, organisation=organisation, defaults={"places": places, "enrolled_by": actor}
    )
    audit.record(
        actor=actor,
        action="awareness.enrolled" if created else "awareness.enrolment_changed",
        organisation_id=organisation.pk,
        obj=enrolment,
        object_label=offer.title,
        changes={"offer": str(offer.public_id), "places": places},
    )
    return enrolment


@transaction.atomic
def cancel_enrolment(*, actor, enrolment: Enrolment) -> None:
    require(actor, Action.AWARENESS_EDIT, enrolment.organisation_id)
    audit.record(
        actor=actor,
        action="awareness.enrolment_cancelled",
        organisation_id=enrolment.organisation_id,
        obj=enrolment,
        object_label=enrolment.offer.title,
        changes={"offer": str(enrolment.offer.public_id)},
    )
    enrolment.delete()


# --- reminders -----------------------------------------------------------------------------------


def _months_later(day: date, months: int) -> date:
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_reminders(today: date) -> list[tuple[Activity, str]]:
    """(activity, kind) pairs a reminder is due for today, before checking whether it was sent.

    - exercise_due: an organisation's latest crisis exercise was held more than a year ago;
    - training_repeat: a training with a repeat interval whose interval has passed, with no later
      training of the same title at the organisation.
    """
    due: list[tuple[Activity, str]] = []
    latest = (
        Activity.objects.filter(kind=ActivityKind.EXERCISE, held_on__lte=today)
        .values("organisation_id")
        .annotate(last=Max("held_on"))
        .filter(last__lt=today - timedelta(days=EXERCISE_INTERVAL_DAYS))
    )
    last_by_org = {row["organisation_id"]: row["last"] for row in latest}
    if last_by_org:
        # One exercise per organisation, the same on every run: of two on the latest day the
        # one recorded last, so that a second run finds the reminder row it wrote before.
        chosen: dict[int, Activity] = {}
        for activity in (
            Activity.objects.filter(kind=ActivityKind.EXERCISE, organisation_id__in=list(last_by_org))
            .select_related("organisation")
            .order_by("pk")
        ):
            if activity.held_on == last_by_org[activity.organisation_id]:
                chosen[activity.organisation_id] = activity
        due.extend((activity, ReminderKind.EXERCISE_DUE) for activity in chosen.values())
    trainings = list(
        Activity.objects.filter(kind=ActivityKind.TRAINING, held_on__lte=today).select_related("organisation")
    )
    newest: dict[tuple[int, str], date] = {}
    for training in trainings:
        key = (training.organisation_id, training.title.casefold())
        newest[key] = max(newest.get(key, training.held_on), training.held_on)
    for training in trainings:
        if not training.repeat_months:
            continue
        if newest[(training.organisation_id, training.title.casefold())] > training.held_on:
            continue  # repeated since
        if _months_later(training.held_on, training.repeat_months) <= today:
            due.append((training, ReminderKind.TRAINING_REPEAT))
    return due


def _reminder_text(activity: Activity, kind: str) -> tuple[str, str]:
    if kind == ReminderKind.EXERCISE_DUE:
        subject = _("%(organisation)s: no crisis exercise for a year") % {"organisation": activity.organisation.name}
        line = _("The last crisis exercise, “%(title)s”, was held on %(date)s. Plan the next one.") % {
            "title": activity.title,
            "date": activity.held_on.isoformat(),
        }
    else:
        subject = _("%(organisation)s: repeat the training “%(title)s”") % {
            "organisation": activity.organisation.name,
            "title": activity.title,
        }
        line = _("The training was held on %(date)s and should be repeated every %(months)d months.") % {
            "date": activity.held_on.isoformat(),
            "months": activity.repeat_months,
        }
    body = "\n\n".join([line, f"{settings.SITE_URL}/awareness/", _("This message is sent once.")])
    return subject, body


def send_due_reminders(*, today: date | None = None) -> int:
    """Send each due reminder once to the organisation's IBP officers. The reminder row is written
    first under a unique key, so a second run or a second worker at the same moment sends
    nothing. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    sent = 0
    # Skip what was sent before without a failed insert each: most runs find nearly all done.
    done = set(AwarenessReminder.objects.values_list("activity_id", "kind"))
    for activity, kind in due_reminders(today):
        if (activity.pk, kind) in done:
            continue
        recipients = list(
            Membership.objects.filter(
                organisation_id=activity.organisation_id,
                is_active=True,
                user__is_active=True,
                role=Role.IBP_OFFICER,
            ).values_list("user__email", flat=True)
        )
        try:
            with transaction.atomic():
                AwarenessReminder.objects.create(
                    organisation_id=activity.organisation_id, activity=activity, kind=kind, recipients=len(recipients)
                )
                audit.record(
                    actor=None,
                    action="awareness.reminder_sent",
                    organisation_id=activity.organisation_id,
                    obj=activity,
                    changes={"kind": kind, "recipients": len(recipients)},
                )
                if recipients:
                    subject, body = _reminder_text(activity, kind)
                    transaction.on_commit(
                        lambda s=subject, b=body, r=recipients: send_mail(s, b, settings.DEFAULT_FROM_EMAIL, r)
                    )
        except IntegrityError:
            continue  # already reminded
        sent += 1
    return sent


# --- demo data -----------------------------------------------------------------------------------

DEMO_OFFERS = (
    ("Phishing herkennen in 45 minuten", "teaching_staff", "online", 0, 120),
    ("Crisiscommunicatie bij een cyberincident", "communication", "classroom", 30, 31),
    ("De rol van het bestuur bij informatiebeveiliging", "board", "webinar", 60, 60),
)


def _insert_many(objects: list, *, keys: bool = True, batch_size: int = 2000) -> None:
    """Insert new model instances with one prepared statement per batch and give them their
    keys. For the demo at design size only: bulk_create spent most of its time composing SQL for
    a few hundred thousand activities. No save() or signals run, as with bulk_create."""
    from django.db import connection

    if not objects:
        return
    model = type(objects[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for obj in objects:
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                setattr(obj, f.attname, now)
    quote = connection.ops.quote_name
    # Names come from the model's own metadata, values go as parameters: nothing from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            cursor.executemany(
                sql, [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in batch]
            )
            if not keys:
                continue  # nothing points at these rows
            found = dict(
                model.objects.filter(public_id__in=[o.public_id for o in batch]).values_list("public_id", "pk")
            )
            for obj in batch:
                obj.pk = found[obj.public_id]
                obj._state.adding = False


@transaction.atomic
def load_demo_awareness(*, actor, seed: int = 2026, today: date | None = None) -> dict | None:
    """Give every demo board and institution three years of campaigns, trainings, phishing
    simulations and crisis exercises (with findings in its improvement plan), and the sector
    organisations a central training offer with enrolments.

    System data for the demo only (never in production, never by a person), written in bulk
    with one audit entry for the load and one per course. Organisations that already have activities are left
    alone, so a second run changes nothing and returns None.
    """
    import random

    from weerbaar.assessments.choices import ActionStatus
    from weerbaar.assessments.models import ImprovementAction
    from weerbaar.awareness import demo
    from weerbaar.core.tenancy import NotPermitted
    from weerbaar.monitor.services import PARTICIPATING_KINDS
    from weerbaar.organisations.choices import OrganisationKind

    if actor is not None:
        raise NotPermitted("the demo awareness history is loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo awareness history is never loaded in production")
    today = today or timezone.localdate()
    organisations = list(
        Organisation.objects.filter(kind__in=PARTICIPATING_KINDS, is_active=True)
        .exclude(pk__in=Activity.objects.values("organisation_id"))
        .order_by("pk")
    )
    counts = {"organisations": 0, "activities": 0, "findings": 0, "offers": 0, "enrolments": 0}
    # Written in bulk across organisations: the demo at design size has ten thousand of them.
    pending: list[tuple[Activity, demo.ActivityPlan]] = []
    for organisation in organisations:
        staff = max(20, min(2000, (organisation.student_count or 1000) // 12))
        for plan in demo.plan_organisation(organisation.pk, staff, seed, today):
            activity = Activity(
                organisation=organisation,
                kind=plan.kind,
                title=plan.title,
                description=plan.description,
                held_on=plan.held_on,
                repeat_months=plan.repeat_months,
                scenario=plan.scenario,
                groups=plan.groups,
                evaluation=plan.evaluation,
                evaluated_on=plan.held_on + timedelta(days=7) if plan.evaluation else None,
                **plan.counts,
            )
            pending.append((activity, plan))
        counts["organisations"] += 1
    _insert_many([activity for activity, _plan in pending])
    _insert_many(
        [
            GroupParticipation(activity=activity, group=g, people=p, invited=i, participated=t)
            for activity, plan in pending
            for g, p, i, t in plan.participation
        ],
        keys=False,
    )
    findings: list[tuple[Activity, str, ImprovementAction]] = []
    now = timezone.now()
    for activity, plan in pending:
        for index, text in enumerate(plan.findings):
            # Older findings have been dealt with; of the last exercise only the first.
            done = activity.held_on < today - timedelta(days=300) or index == 0
            action = ImprovementAction(
                organisation_id=activity.organisation_id,
                title=text,
                description=_("Finding of the crisis exercise “%(title)s” of %(date)s:\n%(text)s")
                % {"title": activity.title, "date": activity.held_on.isoformat(), "text": text},
                source=ActionSource.EXERCISE,
                due_date=activity.held_on + timedelta(days=120),
                status=ActionStatus.DONE if done else ActionStatus.OPEN,
                completed_at=now if done else None,
            )
            findings.append((activity, text, action))
    _insert_many([action for _a, _t, action in findings])
    _insert_many(
        [ExerciseFinding(activity=activity, text=text, action=action) for activity, text, action in findings],
        keys=False,
    )
    counts["activities"] = len(pending)
    counts["findings"] = len(findings)
    if pending:
        audit.record(
            actor=None,
            action="awareness.demo_loaded",
            organisation_id=None,
            changes={k: counts[k] for k in ("organisations", "activities", "findings")},
        )
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    for coordinator in Organisation.objects.filter(
        kind=OrganisationKind.SECTOR_ORGANISATION, served_sectors__isnull=False, is_active=True
    ).distinct():
        if TrainingOffer.objects.filter(coordinator=coordinator).exists():
            continue
        sectors = list(coordinator.served_sectors.all())
        for title, audience, format_, starts_in, days in DEMO_OFFERS:
            offer = TrainingOffer.objects.create(
                coordinator=coordinator,
                title=title,
                description=_("Offered free of charge to the member organisations of the sector."),
                audience=audience,
                format=format_,
                starts_on=today + timedelta(days=starts_in),
                ends_on=today + timedelta(days=starts_in + days),
                published=True,
            )
            offer.sectors.set(sectors)
            members = Organisation.objects.filter(
                sector__in=sectors, kind__in=PARTICIPATING_KINDS, is_active=True
            ).order_by("pk")
            enrolments = [
                Enrolment(offer=offer, organisation=organisation, places=rng.randint(2, 40))
                for organisation in members
                if rng.random() < 0.4
            ]
            Enrolment.objects.bulk_create(enrolments)
            audit.record(
                actor=None,
                action="awareness.demo_offer_loaded",
                organisation_id=coordinator.pk,
                obj=offer,
                changes={"enrolments": len(enrolments)},
            )
            counts["offers"] += 1
            counts["enrolments"] += len(enrolments)
    if not counts["organisations"] and not counts["offers"]:
        return None
    return counts
