"""Scoped reads of the incident desk: incidents and their records as each person may see them,
the legal clocks, the CERT an organisation reports to, lessons and the anonymised statistics."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from weerbaar.core import sql as core_sql
from weerbaar.core.permissions import Action, Reach, Role, roles_allowing
from weerbaar.core.tenancy import access, can, visible_organisations
from weerbaar.incidents import statistics
from weerbaar.incidents.choices import Category, ClockKind, IncidentStatus
from weerbaar.incidents.clocks import Clock, ClockFacts, legal_clocks
from weerbaar.incidents.models import (
    Attachment,
    ClockRecord,
    Incident,
    IncidentLink,
    IncidentSettings,
    IncidentTask,
    Indicator,
    Lesson,
    Notice,
    TimelineEntry,
    cert_homes,
    institution_organisations,
)
from weerbaar.organisations.choices import OrganisationKind, SectorCode
from weerbaar.organisations.models import Membership, Organisation, Sector

# Sectors whose institutions fall under the Cyberbeveiligingswet's reporting duty: the default
# when an organisation has not said otherwise.
NIS2_SECTORS = frozenset({SectorCode.HBO, SectorCode.WO})
STATISTICS_MONTHS = 12


# --- who is who on an incident -------------------------------------------------------------------


def on_cert_side(user, incident: Incident, action: Action = Action.INCIDENT_HANDLE) -> bool:
    """Whether the user acts for the CERT the incident went to (and may do `action` there)."""
    if incident.cert_id is None or incident.is_draft:
        return False
    return cert_homes(user, action).filter(organisation_id=incident.cert_id).exists() and can(
        user, action, incident.organisation_id
    )


def on_institution_side(user, incident: Incident, action: Action = Action.INCIDENT_REPORT) -> bool:
    """Whether the user acts for the reporting institution (or its board) with `action`."""
    return institution_organisations(user, action).filter(pk=incident.organisation_id).exists()


def cert_for(organisation: Organisation) -> Organisation | None:
    """The CERT an organisation reports to: the active CERT whose constituency (served sectors)
    holds the organisation's sector, or its board's sector for a school without one."""
    sector_id = organisation.sector_id or (organisation.parent.sector_id if organisation.parent_id else None)
    if sector_id is None:
        return None
    return (
        Organisation.objects.filter(kind=OrganisationKind.CERT, is_active=True, served_sectors=sector_id)
        .order_by("name", "pk")
        .first()
    )


def nis2_applies_for(organisation: Organisation) -> bool:
    """The organisation's own setting, else its board's, else the default for its sector."""
    ids = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    settings_by_org = dict(
        IncidentSettings.objects.filter(organisation_id__in=ids).values_list("organisation_id", "nis2_applies")
    )
    for org_id in ids:
        if org_id in settings_by_org:
            return settings_by_org[org_id]
    sector = organisation.sector or (organisation.parent.sector if organisation.parent_id else None)
    return bool(sector and sector.code in NIS2_SECTORS)


def nis2_setting(organisation: Organisation) -> IncidentSettings | None:
    return IncidentSettings.objects.filter(organisation=organisation).first()


def reporting_organisations(user) -> QuerySet[Organisation]:
    """Organisations for which the user may report an incident (their own and a board's schools)."""
    from weerbaar.organisations.choices import MEASURED_KINDS

    return institution_organisations(user, Action.INCIDENT_REPORT).filter(kind__in=MEASURED_KINDS).order_by("name")


def nis2_settable_organisations(user) -> QuerySet[Organisation]:
    """The user's own organisations whose NIS2 setting they may change."""
    own = Membership.objects.filter(user=user, is_active=True).values("organisation_id")
    changeable = visible_organisations(user, Action.ORGANISATION_CHANGE).values("pk")
    return reporting_organisations(user).filter(pk__in=own).filter(pk__in=changeable)


def access_reporting_organisation(user, public_id) -> Organisation:
    """One organisation the user may report for, or 404 alike for one that does not exist and
    one they may not report for. One query, since every report passes here."""
    try:
        return reporting_organisations(user).select_related("sector", "parent").get(public_id=public_id)
    except (Organisation.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class ReportingTarget:
    """Where a new report goes: the reporting organisation, the CERT whose constituency holds it
    and whether the NIS2 clocks apply. Both organisations are loaded with only the fields the
    intake needs (id, public id, name, kind, sector and board); others load when read."""

    organisation: Organisation
    cert: Organisation | None
    nis2_applies: bool


def _reporting_target_query(user, public_id) -> QuerySet:
    """The organisation `user` may report for, with its CERT and NIS2 setting, as one query:
    reporting_organisations() (the permission) with cert_for() and nis2_applies_for() as
    subqueries, answering the same."""
    certs = Organisation.objects.filter(
        kind=OrganisationKind.CERT, is_active=True, served_sectors=OuterRef("routing_sector")
    ).order_by("name", "pk")
    own = IncidentSettings.objects.filter(organisation_id=OuterRef("pk")).values("nis2_applies")[:1]
    board = IncidentSettings.objects.filter(organisation_id=OuterRef("parent_id")).values("nis2_applies")[:1]
    return (
        reporting_organisations(user)
        .filter(public_id=public_id)
        .annotate(
            routing_sector=Coalesce(F("sector_id"), F("parent__sector_id")),
            cert_pk=Subquery(certs.values("pk")[:1]),
            cert_public_id=Subquery(certs.values("public_id")[:1]),
            cert_name=Subquery(certs.values("name")[:1]),
            nis2_own=Subquery(own),
            nis2_board=Subquery(board),
            sector_code=Coalesce(F("sector__code"), F("parent__sector__code")),
        )
        .values_list(
            "pk",
            "public_id",
            "name",
            "kind",
            "sector_id",
            "parent_id",
            "cert_pk",
            "cert_public_id",
            "cert_name",
            "nis2_own",
            "nis2_board",
            "sector_code",
        )
    )


class _CompiledQuery:
    """A scoped query whose SQL is built by the ORM once per process and database, then run with
    new values for the user and the public id.

    Building a query of nested subqueries costs the ORM a few milliseconds of CPU per request
    (more than running it); the intake takes reports by the hundred per second, so it compiles
    the query from the very same selector once, with stand-in values, and swaps in the real
    ones. The SQL, and so the permission it checks, is the ORM's own; only the two values
    differ.
    """

    _USER = -7_036_874_417_766  # stand-ins no real user id or public id can equal
    _PUBLIC_ID = uuid.UUID("5e1f1e57-0000-4000-8000-00000000cafe")

    def __init__(self, build):
        self.build = build
        self.compiled: dict[tuple[str, str], tuple[str, list, list[int], list[int]]] = {}

    def _compile(self, database):
        key = (database.alias, database.vendor)
        if key not in self.compiled:
            query = self.build(self._USER, self._PUBLIC_ID).query
            sql, params = query.get_compiler(connection=database).as_sql()
            prepared_id = Organisation._meta.get_field("public_id").get_db_prep_value(self._PUBLIC_ID, database)
            user_slots = [i for i, p in enumerate(params) if p == self._USER]
            id_slots = [i for i, p in enumerate(params) if p == prepared_id]
            if not user_slots or len(id_slots) != 1:
                raise RuntimeError("the query does not take the user and the public id as parameters")
            self.compiled[key] = (sql, list(params), user_slots, id_slots)
        return self.compiled[key]

    def rows(self, user_id: int, public_id: uuid.UUID) -> list[tuple]:
        sql, params, user_slots, id_slots = self._compile(connection)
        params = list(params)
        for i in user_slots:
            params[i] = user_id
        prepared = Organisation._meta.get_field("public_id").get_db_prep_value(public_id, connection)
        for i in id_slots:
            params[i] = prepared
        return core_sql.fetch(sql, params)


_reporting_target = _CompiledQuery(_reporting_target_query)
_TARGET_FIELDS = ("id", "public_id", "name", "kind", "sector_id", "parent_id")


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def reporting_target(user, public_id) -> ReportingTarget:
    """The organisation the user may report for, with where its report goes, in one query; 404
    alike for one that does not exist and one they may not report for."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        public_id = _as_uuid(public_id)
    except (ValueError, AttributeError, TypeError) as exc:
        raise Http404 from exc
    rows = _reporting_target.rows(user.pk, public_id)
    if not rows:
        raise Http404
    pk, org_public_id, name, kind, sector_id, parent_id, cert_pk, cert_public_id, cert_name, own, board, code = rows[0]
    organisation = Organisation.from_db(
        connection.alias, _TARGET_FIELDS, (pk, _as_uuid(org_public_id), name, kind, sector_id, parent_id)
    )
    cert = None
    if cert_pk is not None:
        cert = Organisation.from_db(
            connection.alias,
            ("id", "public_id", "name", "kind"),
            (cert_pk, _as_uuid(cert_public_id), cert_name, OrganisationKind.CERT),
        )
    # The organisation's own setting, else its board's, else the default of its sector.
    setting = own if own is not None else board
    nis2 = bool(setting) if setting is not None else code in NIS2_SECTORS
    return ReportingTarget(organisation=organisation, cert=cert, nis2_applies=nis2)


def people_who_may_be_named(incident_or_organisation) -> QuerySet:
    """People a TLP:RED record may name: those of the institution with an incident role and the
    analysts of the CERT. Naming someone never gives access beyond their organisation reach."""
    if isinstance(incident_or_organisation, Incident):
        organisation = incident_or_organisation.organisation
        cert = incident_or_organisation.cert or cert_for(organisation)
    else:
        organisation, cert = incident_or_organisation, cert_for(incident_or_organisation)
    institution_roles = [r for r, reach in roles_allowing(Action.INCIDENT_VIEW).items() if reach != Reach.CONSTITUENCY]
    condition = Q(organisation=organisation, role__in=institution_roles)
    if organisation.parent_id:
        condition |= Q(organisation_id=organisation.parent_id, role__in=institution_roles)
    if cert is not None:
        condition |= Q(organisation=cert, role=Role.CERT_ANALYST)
    members = Membership.objects.filter(condition, is_active=True, organisation__is_active=True)
    return (
        get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name", "email")
    )


def cert_analysts(cert: Organisation | None) -> QuerySet:
    if cert is None:
        return get_user_model().objects.none()
    members = Membership.objects.filter(organisation=cert, role=Role.CERT_ANALYST, is_active=True)
    return (
        get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name", "email")
    )


# --- incidents -----------------------------------------------------------------------------------


def list_incidents(
    user,
    *,
    action: Action = Action.INCIDENT_VIEW,
    status: str = "",
    search: str = "",
    severity: str = "",
    category: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[Incident]:
    incidents = Incident.objects.visible_to(user, action).select_related("organisation", "cert", "assigned_to")
    if status == "open":
        incidents = incidents.filter(
            status__in=[IncidentStatus.NEW, IncidentStatus.TRIAGED, IncidentStatus.IN_PROGRESS]
        )
    elif status:
        incidents = incidents.filter(status=status)
    if severity:
        incidents = incidents.filter(severity=severity)
    if category:
        incidents = incidents.filter(category=category)
    if organisation is not None:
        incidents = incidents.filter(organisation=organisation)
    if search:
        incidents = incidents.filter(Q(title__icontains=search) | Q(organisation__name__icontains=search))
    return incidents.order_by("-submitted_at", "-created_at")


def access_incident(user, public_id, action: Action = Action.INCIDENT_VIEW) -> Incident:
    return access(
        Incident.objects.select_related(
            "organisation",
            "organisation__sector",
            "organisation__parent",
            "cert",
            "assigned_to",
            "reported_by",
        ),
        user,
        action,
        public_id=public_id,
    )


def timeline_of(user, incident: Incident) -> QuerySet[TimelineEntry]:
    return (
        TimelineEntry.objects.visible_to(user, Action.INCIDENT_VIEW)
        .filter(incident=incident)
        .select_related("author")
        .prefetch_related("named_people")
    )


def indicators_of(user, incident: Incident) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(user, Action.INCIDENT_VIEW).filter(incident=incident).select_related("author")


def attachments_of(user, incident: Incident) -> QuerySet[Attachment]:
    return Attachment.objects.visible_to(user, Action.INCIDENT_VIEW).filter(incident=incident)


def access_attachment(user, public_id) -> Attachment:
    return access(
        Attachment.objects.select_related("incident"),
        user,
        Action.INCIDENT_VIEW,
        public_id=public_id,
    )


def tasks_of(user, incident: Incident) -> QuerySet[IncidentTask]:
    return (
        IncidentTask.objects.visible_to(user, Action.INCIDENT_VIEW).filter(incident=incident).select_related("assignee")
    )


def access_task(user, public_id, action: Action = Action.INCIDENT_HANDLE) -> IncidentTask:
    return access(IncidentTask.objects.select_related("incident"), user, action, public_id=public_id)


def links_of(user, incident: Incident) -> list[Incident]:
    """Related incidents, in both directions; only for the CERT."""
    links = IncidentLink.objects.visible_to(user, Action.INCIDENT_HANDLE)
    ids = set(links.filter(incident=incident).values_list("related_id", flat=True))
    ids |= set(links.filter(related=incident).values_list("incident_id", flat=True))
    return list(
        Incident.objects.visible_to(user, Action.INCIDENT_HANDLE)
        .filter(pk__in=ids)
        .select_related("organisation")
        .order_by("-submitted_at")
    )


def clock_records_of(user, incident: Incident) -> dict[str, ClockRecord]:
    records = ClockRecord.objects.visible_to(user, Action.INCIDENT_VIEW).filter(incident=incident)
    return {record.kind: record for record in records.select_related("recorded_by")}


def clock_facts(incident: Incident, records: dict | None = None) -> ClockFacts:
    """The facts the clocks of an incident depend on. Reads the incident's own records (called
    after access to the incident was granted)."""
    if records is None:
        records = {r.kind: r for r in ClockRecord.objects.filter(incident=incident)}
    return ClockFacts(
        aware_at=incident.aware_at,
        nis2_applies=incident.nis2_applies,
        personal_data_risk=incident.personal_data_risk if incident.personal_data_involved else "",
        data_encrypted=incident.data_encrypted,
        submitted_at=incident.submitted_at,
        resolved_at=incident.resolved_at,
        first_response_at=incident.triaged_at,
        met={kind: record.met_at for kind, record in records.items()},
    )


def clocks_of(incident: Incident, records: dict | None = None, now: datetime | None = None) -> list[Clock]:
    """The legal clocks of a submitted incident (a draft has none running yet, nor one without
    an awareness time)."""
    if incident.aware_at is None or incident.is_draft:
        return []
    return legal_clocks(clock_facts(incident, records), now or timezone.now())


def applicable_clock_kinds(incident: Incident, now: datetime | None = None) -> list[str]:
    """Duties that can be recorded as met now (the CERT's own response is recorded by triage)."""
    return [c.kind for c in clocks_of(incident, now=now) if c.kind != ClockKind.CERT_RESPONSE]


def lesson_of(user, incident: Incident) -> Lesson | None:
    return Lesson.objects.visible_to(user, Action.INCIDENT_VIEW).filter(incident=incident).first()


def notices_for(user, limit: int = 10) -> list[Notice]:
    return list(
        Notice.objects.visible_to(user, Action.INCIDENT_VIEW).select_related("incident").order_by("-created_at")[:limit]
    )


# --- lessons -------------------------------------------------------------------------------------


def list_lessons(user, *, search: str = "", category: str = "", sector: str = "") -> QuerySet[Lesson]:
    """Published lessons the user's community may read, searchable by text, kind and sector."""
    lessons = Lesson.objects.published_to(user)
    if search:
        lessons = lessons.filter(
            Q(title__icontains=search)
            | Q(summary__icontains=search)
            | Q(recommendations__icontains=search)
            | Q(what_worked__icontains=search)
            | Q(to_improve__icontains=search)
        )
    if category:
        lessons = lessons.filter(category=category)
    if sector:
        lessons = lessons.filter(sector_code=sector)
    return lessons.order_by("-published_at")


def access_lesson(user, public_id) -> Lesson:
    """A published lesson the user may read, or the lesson of an incident they may read; 404 alike
    for one that does not exist."""
    try:
        return Lesson.objects.readable_by(user).select_related("incident").get(public_id=public_id)
    except (Lesson.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


# --- statistics ----------------------------------------------------------------------------------


def statistics_sector_codes(user) -> list[str]:
    """Sectors whose anonymised incident statistics the user may read: a coordinator's served
    sectors; umbrella councils, the ministry and the inspectorate every sector."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    held = Membership.objects.filter(
        user=user,
        is_active=True,
        organisation__is_active=True,
        role__in=list(roles_allowing(Action.AGGREGATE_VIEW)),
    )
    if held.exclude(role=Role.SECTOR_COORDINATOR).exists():
        return list(Sector.objects.order_by("id").values_list("code", flat=True))
    coordinated = held.filter(role=Role.SECTOR_COORDINATOR).values("organisation_id")
    return list(
        Sector.objects.filter(serving_organisations__in=coordinated)
        .distinct()
        .order_by("id")
        .values_list("code", flat=True)
    )


def incident_statistics(user, *, now: datetime | None = None, months: int = STATISTICS_MONTHS) -> statistics.Report:
    """Anonymised statistics of the submitted incidents of the last `months` months in the
    sectors the user may read. Reads every incident of those sectors on purpose: only counts and
    medians leave this function, and the benchmark's rules decide which cells are shown."""
    codes = statistics_sector_codes(user)
    now = now or timezone.now()
    since = now - timedelta(days=31 * months)
    rows = (
        Incident.objects.submitted()
        .filter(submitted_at__gte=since, organisation__sector__code__in=codes)
        .exclude(category=Category.TEST)
        .values_list(
            "organisation_id",
            "organisation__sector__code",
            "aware_at",
            "submitted_at",
            "resolved_at",
            "category",
            "severity",
        )
    )
    facts = [
        statistics.IncidentFact(
            organisation_id=org,
            sector=sector,
            aware_at=aware,
            submitted_at=submitted,
            resolved_at=resolved,
            category=category or "",
            severity=severity or "",
        )
        for org, sector, aware, submitted, resolved, category, severity in rows.iterator(chunk_size=2000)
    ]
    return statistics.build_report(facts, min_group=settings.BENCHMARK_MIN_GROUP, sectors=codes)
