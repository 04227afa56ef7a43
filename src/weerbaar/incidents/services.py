"""Writes of the incident desk: reporting (draft, attachments, submission), the legal clocks (duties
met, reminders), the CERT's handling (triage, assignment, status, timeline, indicators, tasks,
links, intermediate reports), NIS2 applicability and lessons learned.

Audit entries name what changed, never the content: the audit log of an organisation is read by
people who may not be named on a TLP:RED report. What the CERT does is logged under the CERT,
what the institution does under the institution.
"""

import hashlib
import ipaddress
import json
import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from weerbaar.core import audit, sql
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted, can, require
from weerbaar.incidents import selectors
from weerbaar.incidents.choices import (
    LESSON_TLPS,
    STATUS_FLOW,
    BreachNature,
    Category,
    Channel,
    ClockKind,
    DataRisk,
    DataSubjectGroup,
    Encryption,
    EntryKind,
    IncidentStatus,
    IndicatorType,
    LessonStatus,
    PersonalDataCategory,
    ReminderStage,
    Severity,
    Side,
    Tlp,
)
from weerbaar.incidents.clocks import ClockState, validate_times
from weerbaar.incidents.models import (
    Attachment,
    ClockRecord,
    DeadlineReminder,
    Incident,
    IncidentLink,
    IncidentSettings,
    IncidentTask,
    Indicator,
    Lesson,
    Notice,
    TimelineEntry,
)
from weerbaar.organisations.choices import MEASURED_KINDS
from weerbaar.organisations.models import Membership, Organisation

MAX_TEXT = 20_000
MAX_COUNT = 10_000_000
MAX_ATTACHMENTS = 20
# Files a school typically has about an incident; nothing executable, no archives (which could
# hide anything, or unpack to gigabytes).
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".eml": "message/rfc822",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
_TEXT_TYPES = {".txt", ".log", ".csv", ".eml"}

_TEXT_LIMITS = {
    "title": 200,
    "description": MAX_TEXT,
    "systems_affected": MAX_TEXT,
    "processor_involved": 200,
    "contact_name": 200,
    "contact_role": 200,
    "contact_phone": 40,
    "contact_email": 254,
    "root_cause": MAX_TEXT,
    "mitigations": MAX_TEXT,
}
_BOOLEANS = (
    "ongoing",
    "suspected_malicious",
    "cross_border",
    "personal_data_involved",
    "ransomware",
    "ransom_demanded",
    "ransom_paid",
)
_COUNTS = (
    "teaching_hours_lost",
    "pupils_affected",
    "staff_affected",
    "data_subjects_count",
    "records_count",
)
_TIMES = ("started_at", "detected_at", "aware_at")
_CHOICES = {
    "category": Category.values,
    "data_encrypted": Encryption.values,
    "personal_data_risk": DataRisk.values,
}
_LISTS = {
    "personal_data_categories": PersonalDataCategory.values,
    "data_subject_groups": DataSubjectGroup.values,
    "breach_nature": BreachNature.values,
}
FACT_FIELDS = frozenset([*_TEXT_LIMITS, *_BOOLEANS, *_COUNTS, *_TIMES, *_CHOICES, *_LISTS, "tlp"])
_PERSONAL_DATA_FIELDS = (
    "personal_data_categories",
    "data_subject_groups",
    "data_subjects_count",
    "records_count",
    "breach_nature",
    "data_encrypted",
    "personal_data_risk",
)
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


# --- helpers -------------------------------------------------------------------------------------


def _label(incident: Incident) -> str:
    # Never the title: the audit log is read by people a TLP:RED report does not name.
    return _("incident %(reference)s") % {"reference": incident.reference}


def _side(actor, incident: Incident) -> str:
    """The side the actor writes for: the CERT when they handle it there, else the institution
    when they may report for it. Refuses everyone else."""
    if selectors.on_cert_side(actor, incident):
        return Side.CERT
    if selectors.on_institution_side(actor, incident):
        return Side.INSTITUTION
    raise NotPermitted("not a party to this incident")


def _visible(actor, incident: Incident, action: Action) -> None:
    """The TLP rule on top of the organisation rule: an actor who may not read the incident may
    not change it either."""
    if not Incident.objects.visible_to(actor, action).filter(pk=incident.pk).exists():
        raise NotPermitted("the incident is not visible to this user")


def _audit_org(incident: Incident, side: str) -> int:
    return incident.cert_id if side == Side.CERT and incident.cert_id else incident.organisation_id


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _text(value, field: str, limit: int, errors: dict, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = value.strip()
    if "\x00" in value:
        errors[field] = _("The text contains a character that is not allowed.")
    elif len(value) > limit:
        errors[field] = _("This is too long (at most %(limit)d characters).") % {"limit": limit}
    elif required and not value:
        errors[field] = _("Fill this in.")
    return value


def _now_check(moment: datetime | None, field: str, errors: dict) -> None:
    if moment is not None and moment > timezone.now() + timedelta(minutes=1):
        errors[field] = _("This time lies in the future.")


# --- reporting -----------------------------------------------------------------------------------

_TIME_MESSAGES = {
    "missing": lambda: _("Fill in this date and time."),
    "future": lambda: _("This time lies in the future."),
    "aware_before_detected": lambda: _(
        "You cannot have become aware of the incident before it was noticed. Check both times."
    ),
    "started_after_detected": lambda: _("The incident cannot have started after it was noticed."),
}


def _clean_facts(facts: dict, current: dict) -> dict:
    """The report's facts after `facts` are applied to `current`, checked field by field and for
    contradictions. Raises ValidationError naming every problem at once."""
    unknown = set(facts) - FACT_FIELDS
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for field, value in facts.items():
        if field in _TEXT_LIMITS:
            cleaned[field] = _text(value, field, _TEXT_LIMITS[field], errors)
        elif field in _BOOLEANS:
            if not isinstance(value, bool):
                errors[field] = _("Choose yes or no.")
            cleaned[field] = bool(value)
        elif field in _COUNTS:
            if value in (None, ""):
                cleaned[field] = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
                errors[field] = _("Enter a whole number from 0 to %(max)d.") % {"max": MAX_COUNT}
            else:
                cleaned[field] = value
        elif field in _TIMES:
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                errors[field] = _("Enter a date and time.")
            else:
                cleaned[field] = value
        elif field in _CHOICES:
            value = value or ""
            if value and value not in _CHOICES[field]:
                errors[field] = _("Choose one of the options.")
            cleaned[field] = value
        elif field in _LISTS:
            value = value or []
            if not isinstance(value, list | tuple) or any(v not in _LISTS[field] for v in value):
                errors[field] = _("Choose from the options.")
                value = []
            cleaned[field] = list(dict.fromkeys(value))
        elif field == "tlp":
            if value not in Tlp.values:
                errors[field] = _("Choose a TLP label.")
            elif value == Tlp.AMBER_STRICT:
                errors[field] = _(
                    "TLP:AMBER+STRICT would keep the report inside your own organisation, so the "
                    "CERT "
                    "could not read it. Choose TLP:AMBER, or TLP:RED and name who may read it."
                )
            cleaned[field] = value
    merged = {**current, **cleaned}
    if merged.get("contact_phone") and not _PHONE.match(merged["contact_phone"]) and "contact_phone" not in errors:
        errors["contact_phone"] = _("Enter a phone number with digits only (spaces, +, - and brackets are fine).")
    if merged.get("contact_email") and "contact_email" not in errors:
        try:
            EmailValidator()(merged["contact_email"])
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address.")
    if merged.get("ransom_paid") and not merged.get("ransom_demanded"):
        errors["ransom_paid"] = _("A ransom can only have been paid when one was demanded.")
    if not merged.get("personal_data_involved"):
        given = [f for f in _PERSONAL_DATA_FIELDS if f in facts and facts[f] not in (None, "", [], ())]
        if given:
            errors["personal_data_involved"] = _(
                "Details about personal data were given, but the report says no personal data are involved."
            )
    now = timezone.now()
    if not any(f in errors for f in _TIMES):
        for field, problem in validate_times(
            detected_at=merged.get("detected_at"),
            aware_at=merged.get("aware_at"),
            started_at=merged.get("started_at"),
            now=now,
            required=False,
        ).items():
            errors[field] = _TIME_MESSAGES[problem]()
    if errors:
        raise ValidationError(errors)
    return cleaned


def _complete(incident: Incident, named: Sequence) -> None:
    """What a report needs before it can go to the CERT (a draft needs only a title)."""
    errors: dict[str, str] = {}
    for field in ("title", "description", "category", "contact_name"):
        if not getattr(incident, field):
            errors[field] = _("Fill this in before you send the report.")
    for field in ("detected_at", "aware_at"):
        if getattr(incident, field) is None:
            errors[field] = _TIME_MESSAGES["missing"]()
    if not incident.contact_phone and not incident.contact_email:
        errors["contact_phone"] = _("Give a phone number or an e-mail address for the contact person.")
    if incident.personal_data_involved:
        if not incident.personal_data_categories:
            errors["personal_data_categories"] = _("Say which kinds of personal data are involved.")
        if not incident.personal_data_risk:
            errors["personal_data_risk"] = _("Say how large the risk is for the people concerned.")
        if not incident.data_encrypted:
            errors["data_encrypted"] = _("Say whether the data were unreadable for others.")
    if incident.tlp == Tlp.RED:
        cert = incident.cert or selectors.cert_for(incident.organisation)
        if cert is not None and not any(
            Membership.objects.filter(user=person, organisation=cert, role=Role.CERT_ANALYST, is_active=True).exists()
            for person in named
        ):
            errors["named_people"] = _(
                "Name at least one person of the CERT who may read this TLP:RED report, or the CERT cannot handle it."
            )
    if errors:
        raise ValidationError(errors)


def _clean_named(named: Iterable | None, organisation: Organisation, incident: Incident | None = None) -> list:
    if not named:
        return []
    allowed = selectors.people_who_may_be_named(incident or organisation)
    named = list(dict.fromkeys(named))
    ids = set(allowed.filter(pk__in=[p.pk for p in named]).values_list("pk", flat=True))
    if len(ids) != len(named):
        raise ValidationError(
            {
                "named_people": _(
                    "Only people of your institution with an incident role and analysts of the CERT can be named."
                )
            }
        )
    return named


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    if not name or len(name) > 255 or any(ord(ch) < 32 for ch in name):
        raise ValidationError({"attachments": _("A file needs a plain name of at most 255 characters.")})
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "attachments": _(
                    "%(name)s: this type of file is not accepted. Use PDF, PNG, JPEG, text, log, "
                    "CSV, "
                    "e-mail (.eml), Word or Excel."
                )
                % {"name": name}
            }
        )
    if not upload.size:
        raise ValidationError({"attachments": _("%(name)s is empty.") % {"name": name}})
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "attachments": _("%(name)s is too large (at most %(mb)d MB).")
                % {"name": name, "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    signatures = _MAGIC.get(extension)
    if (signatures and not head.startswith(signatures)) or (extension in _TEXT_TYPES and b"\x00" in head):
        raise ValidationError({"attachments": _("%(name)s: the content does not match its type.") % {"name": name}})
    return name, ATTACHMENT_TYPES[extension]


def _store_attachments(actor, incident: Incident, uploads: list[tuple[UploadedFile, str, str]], stored: list) -> list:
    if not uploads:
        return []
    existing = incident.attachments.count()
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("An incident can have at most %(max)d files.") % {"max": MAX_ATTACHMENTS}}
        )
    made = []
    for upload, name, content_type in uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            incident=incident,
            name=name,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(
            f"{attachment.public_id}{mimetypes.guess_extension(content_type) or ''}",
            upload,
            save=False,
        )
        stored.append(attachment.file)
        attachment.save()
        made.append(attachment)
    return made


def _discard(stored: list) -> None:
    for file in stored:
        file.delete(save=False)


@transaction.atomic
def create_report(
    *,
    actor,
    organisation: Organisation,
    submit: bool = False,
    named_people: Iterable | None = None,
    attachments: Sequence[UploadedFile] = (),
    **facts,
) -> Incident:
    """An institution reports an incident: saved as a draft to finish later, or sent to the CERT
    at once. Nothing is stored when anything is wrong, attachments included."""
    require(actor, Action.INCIDENT_REPORT, organisation.pk)
    if organisation.kind not in MEASURED_KINDS:
        raise ValidationError({"organisation": _("Only schools, boards and institutions report incidents here.")})
    cleaned = _clean_facts(facts, {})
    incident = Incident(organisation=organisation, reported_by=actor, **cleaned)
    if not incident.title:
        raise ValidationError({"title": _("Give the incident a short title, also for a draft.")})
    named = _clean_named(named_people, organisation)
    uploads = [(upload, *_check_upload(upload)) for upload in attachments]
    if submit:
        _complete(incident, named)
    if submit:
        # Set before the first write: a report sent at once is saved once, as sent.
        _mark_submitted(incident)
    stored: list = []
    try:
        incident.save()
        if named:
            incident.named_people.set(named)
        _store_attachments(actor, incident, uploads, stored)
        changes = {"fields": sorted(cleaned), "attachments": len(uploads)}
        if submit:
            _submitted(actor, incident, changes)
        else:
            # The audit chain is locked from here to the commit: it comes last.
            audit.record(
                actor=actor,
                action="incident.drafted",
                organisation_id=organisation.pk,
                obj=incident,
                object_label=_label(incident),
                changes=changes,
            )
    except BaseException:
        _discard(stored)
        raise
    return incident


# --- the API's intake ----------------------------------------------------------------------------

MAX_KEY = 100


@dataclass(frozen=True)
class Receipt:
    """A report taken in: the incident, and whether it was made earlier under the same key."""

    incident: Incident
    replayed: bool = False


def receive_report(
    *,
    actor,
    organisation_id,
    submit: bool = False,
    named_people: Iterable | None = None,
    idempotency_key: str = "",
    **facts,
) -> Receipt:
    """A report through the API, sent to the CERT at once or kept as a draft. When this returns
    the report and its audit entry are on disk: the answer to the client may say so.

    Reports arrive by the hundred per second at busy moments (a phishing wave, a supplier
    outage), so the intake does the least a report needs, with the rules of create_report():
    one query checks that the actor may report for the organisation and finds its CERT and NIS2
    setting, then the report row, the task that tells the CERT and the audit entry are written
    in one transaction, with statements built once (`core.sql`). The audit entry comes last, so
    that the audit chain's head is locked only from there to the commit. Called inside a
    transaction of the caller's, the report simply commits with it.

    With an idempotency key, the same report sent again (after a lost answer) gives the report
    already made; the same key with other content is refused.
    """
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY or not all(" " <= ch <= "~" for ch in key):
        raise ValidationError({"idempotency_key": _("Use a key of at most 100 letters, digits or signs.")})
    named = list(dict.fromkeys(named_people or []))
    digest = ""
    if key:
        sent = {"organisation": str(organisation_id), "submit": submit, "named": sorted(p.pk for p in named), **facts}
        digest = hashlib.sha256(json.dumps(sent, sort_keys=True, default=str).encode()).hexdigest()
    if connection.in_atomic_block:
        incident = _receive(actor, organisation_id, submit, named, facts, key, digest, detached=False)
        return Receipt(incident)
    try:
        incident = _receive(actor, organisation_id, submit, named, facts, key, digest, detached=True)
    except IntegrityError:
        # The key is taken: the report was made before (the other request has committed by the
        # time the unique index refuses this one). Anything else is not ours to answer.
        incident = _earlier_report(actor, key, digest) if key else None
        if incident is None:
            raise
        return Receipt(incident, replayed=True)
    return Receipt(incident)


@transaction.atomic
def _receive(actor, organisation_id, submit: bool, named: list, facts: dict, key: str, digest: str, *, detached: bool):
    try:
        target = selectors.reporting_target(actor, organisation_id)
    except Http404:
        raise NotPermitted("may not report incidents for this organisation") from None
    organisation = target.organisation
    cleaned = _clean_facts(facts, {})
    incident = Incident(organisation=organisation, reported_by=actor, intake_key=key, intake_digest=digest, **cleaned)
    if not incident.title:
        raise ValidationError({"title": _("Give the incident a short title, also for a draft.")})
    named = _clean_named(named, organisation)
    if submit:
        incident.cert = target.cert
        _complete(incident, named)
        incident.status = IncidentStatus.NEW
        incident.submitted_at = timezone.now()
        incident.nis2_applies = target.nis2_applies
    sql.insert(incident)
    if named:
        incident.named_people.set(named)
    changes = {"fields": sorted(cleaned), "attachments": 0}
    if submit:
        changes.update(cert=target.cert.name if target.cert else None, nis2_applies=incident.nis2_applies)
    if not detached and submit:
        _submitted(actor, incident, changes)
        return incident
    if submit:
        _queue_announcement(incident.pk)
    # The audit chain is locked from here to the commit: it comes last.
    audit.record(
        actor=actor,
        action="incident.submitted" if submit else "incident.drafted",
        organisation_id=organisation.pk,
        obj=incident,
        object_label=_label(incident),
        changes=changes,
    )
    return incident


def _earlier_report(actor, key: str, digest: str) -> Incident | None:
    """The report the actor already made with this key (sent again after a lost answer)."""
    incident = (
        Incident.objects.visible_to(actor, Action.INCIDENT_REPORT)
        .select_related("organisation", "cert")
        .filter(reported_by=actor, intake_key=key)
        .first()
    )
    if incident is not None and incident.intake_digest != digest:
        raise ValidationError(
            {"idempotency_key": _("This key was used for a different report. Use a new key for a new report.")}
        )
    return incident


def _queue_announcement(incident_id: int) -> None:
    """Queue the CERT's notices of a report being taken in. The database task backend writes
    the task in the report's own transaction, so that a report is never stored without its
    notices queued (and the worker cannot see the task before the report); a backend that runs
    tasks at once gets it after the commit, when the report is there to announce."""
    from weerbaar.incidents.tasks import announce_report_task

    if isinstance(announce_report_task.get_backend(), DatabaseBackend):
        announce_report_task.enqueue(incident_id)
    else:
        transaction.on_commit(lambda: announce_report_task.enqueue(incident_id))


@transaction.atomic
def update_report(
    *,
    actor,
    incident: Incident,
    named_people: Iterable | None = None,
    attachments: Sequence[UploadedFile] = (),
    **facts,
) -> Incident:
    """The institution completes its draft, or corrects and adds to a report already sent (the
    CERT sees that it was updated). A closed incident can no longer be changed."""
    incident = _lock(incident)
    require(actor, Action.INCIDENT_REPORT, incident.organisation_id)
    _visible(actor, incident, Action.INCIDENT_REPORT)
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError(_("A closed incident can no longer be changed."))
    current = {field: getattr(incident, field) for field in FACT_FIELDS}
    cleaned = _clean_facts(facts, current)
    changed = sorted(f for f, v in cleaned.items() if current[f] != v)
    for field, value in cleaned.items():
        setattr(incident, field, value)
    if not incident.title:
        raise ValidationError({"title": _("Give the incident a short title, also for a draft.")})
    if not incident.personal_data_involved:
        for field in _PERSONAL_DATA_FIELDS:
            setattr(incident, field, Incident._meta.get_field(field).get_default())
    named = None
    if named_people is not None:
        named = _clean_named(named_people, incident.organisation, incident)
    uploads = [(upload, *_check_upload(upload)) for upload in attachments]
    if not incident.is_draft:
        _complete(incident, named if named is not None else list(incident.named_people.all()))
    stored: list = []
    try:
        incident.save()
        if named is not None:
            if {p.pk for p in named} != set(incident.named_people.values_list("pk", flat=True)):
                changed.append("named_people")
            incident.named_people.set(named)
        _store_attachments(actor, incident, uploads, stored)
        if not incident.is_draft and (changed or uploads):
            TimelineEntry.objects.create(
                incident=incident,
                kind=EntryKind.UPDATE,
                occurred_at=timezone.now(),
                author=actor,
                author_side=Side.INSTITUTION,
                body=_("The institution updated the report (%(fields)s).")
                % {
                    "fields": ", ".join(
                        str(Incident._meta.get_field(f).verbose_name) for f in changed if f != "named_people"
                    )
                    or _("files")
                },
            )
        _replan(incident)
        audit.record(
            actor=actor,
            action="incident.updated",
            organisation_id=incident.organisation_id,
            obj=incident,
            object_label=_label(incident),
            changes={"fields": changed, "attachments": len(uploads)},
        )
    except BaseException:
        _discard(stored)
        raise
    return incident


@transaction.atomic
def submit_report(*, actor, incident: Incident) -> Incident:
    """Send a finished draft to the CERT. From now on the legal clocks run visibly."""
    incident = _lock(incident)
    require(actor, Action.INCIDENT_REPORT, incident.organisation_id)
    _visible(actor, incident, Action.INCIDENT_REPORT)
    if not incident.is_draft:
        raise ValidationError(_("This report has already been sent."))
    _complete(incident, list(incident.named_people.all()))
    errors = validate_times(
        detected_at=incident.detected_at,
        aware_at=incident.aware_at,
        started_at=incident.started_at,
        now=timezone.now(),
        required=True,
    )
    if errors:
        raise ValidationError({field: _TIME_MESSAGES[problem]() for field, problem in errors.items()})
    _submit(actor, incident)
    return incident


def _mark_submitted(incident: Incident) -> None:
    incident.status = IncidentStatus.NEW
    incident.submitted_at = timezone.now()
    incident.cert = selectors.cert_for(incident.organisation)
    incident.nis2_applies = selectors.nis2_applies_for(incident.organisation)


def _submitted(actor, incident: Incident, changes: dict | None = None) -> None:
    """What follows the sending of a report: the audit log and, after the commit, the CERT's
    notices. (The timeline shows the sending from `submitted_at`; reports arrive by the hundred
    at busy moments, so a report is written with as few rows as it needs.)"""
    audit.record(
        actor=actor,
        action="incident.submitted",
        organisation_id=incident.organisation_id,
        obj=incident,
        object_label=_label(incident),
        changes={
            **(changes or {}),
            "cert": incident.cert.name if incident.cert else None,
            "nis2_applies": incident.nis2_applies,
        },
    )
    from weerbaar.incidents.tasks import announce_report_task

    incident_id = incident.pk
    transaction.on_commit(lambda: announce_report_task.enqueue(incident_id))


def _submit(actor, incident: Incident) -> None:
    _mark_submitted(incident)
    incident.save(update_fields=["status", "submitted_at", "cert", "nis2_applies", "updated_at"])
    _submitted(actor, incident)


def _replan(incident: Incident) -> None:
    """The clocks may have moved: check the incident's reminders again after the commit."""
    if incident.is_draft:
        return
    from weerbaar.incidents.tasks import send_reminders_task

    incident_id = incident.pk
    transaction.on_commit(lambda: send_reminders_task.enqueue(incident_id))


def _mail(messages: list[tuple[str, str, str, list[str]]]) -> None:
    if messages:
        send_mass_mail(messages, fail_silently=False)


def _message(subject: str, text: str, incident: Incident, email: str) -> tuple[str, str, str, list[str]]:
    # E-mail carries no incident details, only where to read them: mail is forwarded, and a
    # TLP:RED report must not travel further than the people named.
    body = "\n\n".join(
        [
            text,
            f"{settings.SITE_URL}/incidents/{incident.public_id}/",
            _("Sign in to read the details."),
        ]
    )
    return subject, body, settings.DEFAULT_FROM_EMAIL, [email]


def _readers(incident: Incident, candidates) -> list:
    """Of `candidates`, those who may read the incident (organisation reach and TLP)."""
    return [
        person
        for person in candidates
        if Incident.objects.visible_to(person, Action.INCIDENT_VIEW).filter(pk=incident.pk).exists()
    ]


@transaction.atomic
def announce_report(*, incident: Incident) -> int:
    """Tell the analysts of the CERT that a report has arrived, in the platform and by e-mail.
    Background work of the submission; returns the number of people told."""
    incident = Incident.objects.select_for_update(of=("self",)).select_related("cert").get(pk=incident.pk)
    if incident.cert is None or incident.is_draft or incident.announced_at is not None:
        return 0
    incident.announced_at = timezone.now()
    incident.save(update_fields=["announced_at"])
    readers = _readers(incident, selectors.cert_analysts(incident.cert))
    text = _("A new incident report (reference %(reference)s) has arrived for %(cert)s.") % {
        "reference": incident.reference,
        "cert": incident.cert.name,
    }
    Notice.objects.bulk_create([Notice(user=person, incident=incident, message=text[:300]) for person in readers])
    audit.record(
        actor=None,
        action="incident.cert_notified",
        organisation_id=incident.cert_id,
        obj=incident,
        object_label=_label(incident),
        changes={"recipients": len(readers)},
    )
    messages = [
        _message(
            _("New incident report %(reference)s") % {"reference": incident.reference},
            text,
            incident,
            person.email,
        )
        for person in readers
    ]
    transaction.on_commit(lambda: _mail(messages))
    return len(readers)


ANNOUNCE_GRACE = timedelta(minutes=5)


def announce_missed(*, now: datetime | None = None) -> int:
    """Tell the CERT of reports sent more than a few minutes ago that it was never told of: their
    task was lost (an app server stopped between storing a report and queueing its notices).
    Run by `manage.py incident_reminders`; returns the number of reports announced."""
    now = now or timezone.now()
    missed = (
        Incident.objects.submitted()
        .filter(announced_at__isnull=True, cert__isnull=False, submitted_at__lt=now - ANNOUNCE_GRACE)
        .order_by("submitted_at")
    )
    announced = 0
    for incident in missed.iterator(chunk_size=200):
        announce_report(incident=incident)
        announced += 1
    return announced


# --- legal clocks --------------------------------------------------------------------------------


@transaction.atomic
def record_duty_met(
    *,
    actor,
    incident: Incident,
    kind: str,
    met_at: datetime,
    channel: str,
    reference: str = "",
    note: str = "",
    late_reason: str = "",
) -> ClockRecord:
    """Record when and how a reporting duty was met (the platform prepares the documents; the
    institution submits them to the authority itself). Once per duty."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    errors: dict[str, str] = {}
    clocks = {c.kind: c for c in selectors.clocks_of(incident)}
    if incident.is_draft:
        raise ValidationError(_("Send the report first; the clocks start then."))
    if kind not in clocks or kind == ClockKind.CERT_RESPONSE:
        errors["kind"] = _("This duty does not apply to this incident.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the duty was met.")
    if not isinstance(met_at, datetime) or met_at.tzinfo is None:
        errors["met_at"] = _("Enter a date and time.")
    else:
        _now_check(met_at, "met_at", errors)
        if incident.aware_at and met_at < incident.aware_at and "met_at" not in errors:
            errors["met_at"] = _("This lies before the moment you became aware of the incident.")
    reference = _text(reference, "reference", 100, errors)
    note = _text(note, "note", MAX_TEXT, errors)
    late_reason = _text(late_reason, "late_reason", MAX_TEXT, errors)
    clock = clocks.get(kind)
    if not errors and clock is not None and clock.due_at is not None and met_at > clock.due_at and not late_reason:
        errors["late_reason"] = _("The deadline had passed: give the reason for the delay (the authority asks for it).")
    if errors:
        raise ValidationError(errors)
    if ClockRecord.objects.filter(incident=incident, kind=kind).exists():
        raise ValidationError({"kind": _("This duty has already been recorded as met.")})
    record = ClockRecord.objects.create(
        incident=incident,
        kind=kind,
        met_at=met_at,
        channel=channel,
        reference=reference,
        note=note,
        late_reason=late_reason,
        recorded_by=actor,
    )
    TimelineEntry.objects.create(
        incident=incident,
        kind=EntryKind.DEADLINE,
        occurred_at=met_at,
        author=actor,
        author_side=side,
        body=_("%(duty)s: done (%(channel)s).") % {"duty": ClockKind(kind).label, "channel": Channel(channel).label},
    )
    _replan(incident)
    audit.record(
        actor=actor,
        action="incident.duty_met",
        organisation_id=_audit_org(incident, side),
        obj=incident,
        object_label=_label(incident),
        changes={
            "kind": kind,
            "channel": channel,
            "met_at": met_at.isoformat(),
            "late": bool(late_reason),
        },
    )
    return record


def _reminder_recipients(incident: Incident, kind: str) -> list:
    from django.contrib.auth import get_user_model

    if kind == ClockKind.CERT_RESPONSE:
        candidates = [incident.assigned_to] if incident.assigned_to_id else list(selectors.cert_analysts(incident.cert))
    else:
        roles = (
            [Role.IBP_OFFICER, Role.DPO]
            if kind in (ClockKind.AP_NOTIFICATION, ClockKind.DATA_SUBJECTS)
            else [Role.IBP_OFFICER]
        )
        members = Membership.objects.filter(organisation=incident.organisation, role__in=roles, is_active=True).values(
            "user_id"
        )
        candidates = list(get_user_model().objects.filter(pk__in=members, is_active=True))
        if incident.reported_by not in candidates:
            candidates.append(incident.reported_by)
    return _readers(incident, [person for person in candidates if person is not None and person.is_active])


def send_due_reminders(*, now: datetime | None = None, incident_ids: Iterable[int] | None = None) -> int:
    """Send the reminders that are due: one when a deadline comes near, one when it has passed,
    each once per incident and duty. The DeadlineReminder row is written first under a unique
    key, so a second run, or a second worker at the same moment, sends nothing again. Returns
    the number of reminders sent."""
    now = now or timezone.now()
    incidents = (
        Incident.objects.submitted()
        .filter(aware_at__isnull=False, submitted_at__gte=now - timedelta(days=190))
        .select_related("organisation", "cert", "assigned_to", "reported_by")
    )
    if incident_ids is not None:
        incidents = incidents.filter(pk__in=list(incident_ids))
    sent = 0
    for incident in incidents.iterator(chunk_size=500):
        for clock in selectors.clocks_of(incident, now=now):
            state = clock.state(now)
            if state == ClockState.OVERDUE:
                stage = ReminderStage.OVERDUE
            elif state == ClockState.OPEN and now >= clock.remind_from():
                stage = ReminderStage.DUE_SOON
            else:
                continue
            if _send_reminder(incident, clock, stage):
                sent += 1
    return sent


def _send_reminder(incident: Incident, clock, stage: str) -> bool:
    try:
        with transaction.atomic():
            recipients = _reminder_recipients(incident, clock.kind)
            DeadlineReminder.objects.create(
                incident=incident,
                kind=clock.kind,
                stage=stage,
                due_at=clock.due_at,
                recipients=len(recipients),
            )
            local_due = timezone.localtime(clock.due_at).strftime("%d-%m-%Y %H:%M")
            if stage == ReminderStage.OVERDUE:
                text = _("The deadline for %(duty)s of incident %(reference)s passed at %(due)s.")
            else:
                text = _("The deadline for %(duty)s of incident %(reference)s is %(due)s.")
            text = text % {
                "duty": ClockKind(clock.kind).label,
                "reference": incident.reference,
                "due": local_due,
            }
            Notice.objects.bulk_create([Notice(user=p, incident=incident, message=text[:300]) for p in recipients])
            audit.record(
                actor=None,
                action="incident.reminder_sent",
                organisation_id=incident.cert_id if clock.kind == ClockKind.CERT_RESPONSE else incident.organisation_id,
                obj=incident,
                object_label=_label(incident),
                changes={"kind": clock.kind, "stage": stage, "recipients": len(recipients)},
            )
            messages = [
                _message(
                    _("Reminder: %(duty)s") % {"duty": ClockKind(clock.kind).label},
                    text,
                    incident,
                    p.email,
                )
                for p in recipients
            ]
            transaction.on_commit(lambda: _mail(messages))
    except IntegrityError:
        return False  # already reminded for this duty and stage
    return True


# --- handling by the CERT ------------------------------------------------------------------------


def _handle(actor, incident: Incident) -> Incident:
    incident = _lock(incident)
    if not selectors.on_cert_side(actor, incident):
        raise NotPermitted("only the CERT the report went to handles it")
    _visible(actor, incident, Action.INCIDENT_HANDLE)
    return incident


def _system_entry(incident: Incident, actor, kind: str, body: str, side: str = Side.CERT) -> None:
    TimelineEntry.objects.create(
        incident=incident,
        kind=kind,
        occurred_at=timezone.now(),
        author=actor,
        author_side=side,
        body=body,
    )


@transaction.atomic
def triage(*, actor, incident: Incident, severity: str, category: str) -> Incident:
    """The CERT sets the severity and the kind of incident. The first triage is the CERT's first
    response (NIS2 asks for one within 24 hours)."""
    incident = _handle(actor, incident)
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if category not in Category.values:
        errors["category"] = _("Choose the kind of incident.")
    if incident.status == IncidentStatus.CLOSED:
        errors["__all__"] = _("A closed incident can no longer be changed.")
    if errors:
        raise ValidationError(errors)
    changes = audit.field_changes(incident, ["severity", "category"], {"severity": severity, "category": category})
    incident.severity, incident.category = severity, category
    if incident.status == IncidentStatus.NEW:
        incident.status = IncidentStatus.TRIAGED
        changes["status"] = [IncidentStatus.NEW, IncidentStatus.TRIAGED]
    if incident.triaged_at is None:
        incident.triaged_at = timezone.now()
    incident.save()
    _system_entry(
        incident,
        actor,
        EntryKind.TRIAGE,
        _("Triage: severity %(severity)s, %(category)s.")
        % {"severity": Severity(severity).label, "category": Category(category).label},
    )
    audit.record(
        actor=actor,
        action="incident.triaged",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes=changes,
    )
    return incident


@transaction.atomic
def assign(*, actor, incident: Incident, analyst) -> Incident:
    """Give the incident to an analyst of the CERT (or to nobody). For a TLP:RED report only an
    analyst the report names."""
    incident = _handle(actor, incident)
    if analyst is not None:
        if not selectors.cert_analysts(incident.cert).filter(pk=analyst.pk).exists():
            raise ValidationError({"analyst": _("Choose an analyst of this CERT.")})
        if not Incident.objects.visible_to(analyst, Action.INCIDENT_HANDLE).filter(pk=incident.pk).exists():
            raise ValidationError({"analyst": _("This analyst may not read this TLP:RED report.")})
    before = incident.assigned_to.email if incident.assigned_to else None
    incident.assigned_to = analyst
    incident.save(update_fields=["assigned_to", "updated_at"])
    name = (analyst.full_name or analyst.email) if analyst else _("nobody")
    _system_entry(incident, actor, EntryKind.ASSIGNMENT, _("Assigned to %(name)s.") % {"name": name})
    audit.record(
        actor=actor,
        action="incident.assigned",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes={"assigned_to": [before, analyst.email if analyst else None]},
    )
    return incident


@transaction.atomic
def change_status(*, actor, incident: Incident, status: str, resolution_summary: str = "") -> Incident:
    """Move the incident along new → triaged → in progress → resolved → closed. Closing needs a
    summary of how it was resolved; reopening a resolved incident is allowed."""
    incident = _handle(actor, incident)
    errors: dict[str, str] = {}
    summary = _text(resolution_summary, "resolution_summary", MAX_TEXT, errors)
    if status not in STATUS_FLOW.get(incident.status, ()):
        errors["status"] = _("An incident that is %(current)s cannot become %(new)s.") % {
            "current": IncidentStatus(incident.status).label.lower(),
            "new": IncidentStatus(status).label.lower() if status in IncidentStatus.values else status,
        }
    if status == IncidentStatus.CLOSED and not (summary or incident.resolution_summary):
        errors["resolution_summary"] = _("Summarise how the incident was resolved before closing it.")
    if errors:
        raise ValidationError(errors)
    before = incident.status
    now = timezone.now()
    incident.status = status
    if summary:
        incident.resolution_summary = summary
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at, incident.ongoing = now, False
    elif status == IncidentStatus.IN_PROGRESS and before == IncidentStatus.RESOLVED:
        incident.resolved_at, incident.ongoing = None, True
    elif status == IncidentStatus.CLOSED:
        incident.closed_at = now
    incident.save()
    _system_entry(
        incident,
        actor,
        EntryKind.STATUS,
        _("Status: %(status)s.") % {"status": IncidentStatus(status).label},
    )
    _replan(incident)
    audit.record(
        actor=actor,
        action="incident.status_changed",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes={"status": [before, status]},
    )
    return incident


def _clean_marking(actor, incident: Incident, side: str, tlp: str, named: Iterable | None, errors: dict) -> list:
    if tlp not in Tlp.values:
        errors["tlp"] = _("Choose a TLP label.")
        return []
    if tlp != Tlp.RED:
        return []
    try:
        named = _clean_named(named, incident.organisation, incident)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return []
    named = [p for p in named if p.pk != actor.pk]
    if not named:
        errors["named_people"] = _("Name the people who may read this TLP:RED entry (besides you).")
    return named


@transaction.atomic
def add_entry(
    *,
    actor,
    incident: Incident,
    body: str,
    tlp: str = Tlp.AMBER,
    internal: bool = False,
    named_people: Iterable | None = None,
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    """A note on the timeline: by the CERT (shared with the institution unless internal) or by the
    institution (seen by its CERT), labelled with TLP."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    if incident.is_draft:
        raise ValidationError(_("Send the report first."))
    errors: dict[str, str] = {}
    body = _text(body, "body", MAX_TEXT, errors, required=True)
    if internal and side != Side.CERT:
        errors["internal"] = _("Only the CERT keeps internal notes.")
    occurred_at = occurred_at or timezone.now()
    _now_check(occurred_at, "occurred_at", errors)
    named = _clean_marking(actor, incident, side, tlp, named_people, errors)
    if errors:
        raise ValidationError(errors)
    entry = TimelineEntry.objects.create(
        incident=incident,
        kind=EntryKind.NOTE,
        body=body,
        occurred_at=occurred_at,
        author=actor,
        author_side=side,
        internal=bool(internal),
        tlp=tlp,
    )
    if named:
        entry.named_people.set(named)
    audit.record(
        actor=actor,
        action="incident.entry_added",
        organisation_id=_audit_org(incident, side),
        obj=incident,
        object_label=_label(incident),
        changes={"tlp": tlp, "internal": bool(internal)},
    )
    return entry


_HEX = re.compile(r"^[0-9a-fA-F]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}\.)+[a-z][a-z0-9-]{0,62}$")
_HASH_LENGTHS = {IndicatorType.SHA256: 64, IndicatorType.SHA1: 40, IndicatorType.MD5: 32}


def normalise_indicator(type_: str, value: str) -> str:
    """The value in its canonical form (lower-case hashes and domains, compressed IPv6), or
    ValidationError."""
    value = (value or "").strip()
    invalid = ValidationError(
        {
            "value": _("This is not a valid %(type)s.")
            % {"type": IndicatorType(type_).label.lower() if type_ in IndicatorType.values else type_}
        }
    )
    if not value or len(value) > 1000 or any(ord(ch) < 32 for ch in value):
        raise invalid
    if type_ in (IndicatorType.IPV4, IndicatorType.IPV6):
        try:
            address = ipaddress.ip_network(value, strict=False) if "/" in value else ipaddress.ip_address(value)
        except ValueError as exc:
            raise invalid from exc
        if address.version != (4 if type_ == IndicatorType.IPV4 else 6):
            raise invalid
        return str(address)
    if type_ in _HASH_LENGTHS:
        if len(value) != _HASH_LENGTHS[type_] or not _HEX.match(value):
            raise invalid
        return value.lower()
    if type_ == IndicatorType.DOMAIN:
        try:
            value = value.rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise invalid from exc
        if not _DOMAIN.match(value):
            raise invalid
        return value
    if type_ == IndicatorType.URL:
        try:
            URLValidator(schemes=["http", "https", "ftp"])(value)
        except ValidationError as exc:
            raise invalid from exc
        return value
    if type_ == IndicatorType.EMAIL:
        try:
            EmailValidator()(value)
        except ValidationError as exc:
            raise invalid from exc
        return value.lower()
    if type_ == IndicatorType.FILENAME:
        if len(value) > 255:
            raise invalid
        return value
    raise ValidationError({"type": _("Choose the type of indicator.")})


@transaction.atomic
def add_indicator(
    *,
    actor,
    incident: Incident,
    type: str,
    value: str,
    description: str = "",
    tlp: str = Tlp.AMBER,
    named_people: Iterable | None = None,
) -> Indicator:
    """An indicator of compromise seen in the incident, with its own TLP label."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    if incident.is_draft:
        raise ValidationError(_("Send the report first."))
    errors: dict[str, str] = {}
    if type not in IndicatorType.values:
        errors["type"] = _("Choose the type of indicator.")
    else:
        try:
            value = normalise_indicator(type, value)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    description = _text(description, "description", MAX_TEXT, errors)
    named = _clean_marking(actor, incident, side, tlp, named_people, errors)
    if not errors and Indicator.objects.filter(incident=incident, type=type, value=value).exists():
        errors["value"] = _("This indicator is already recorded for this incident.")
    if errors:
        raise ValidationError(errors)
    indicator = Indicator.objects.create(
        incident=incident,
        type=type,
        value=value,
        description=description,
        tlp=tlp,
        author=actor,
        author_side=side,
    )
    if named:
        indicator.named_people.set(named)
    audit.record(
        actor=actor,
        action="incident.indicator_added",
        organisation_id=_audit_org(incident, side),
        obj=incident,
        object_label=_label(incident),
        changes={"type": type, "tlp": tlp},
    )
    return indicator


@transaction.atomic
def add_attachments(*, actor, incident: Incident, attachments: Sequence[UploadedFile]) -> list[Attachment]:
    """Files added to a report after it was written, by the institution or the CERT."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    if not attachments:
        raise ValidationError({"attachments": _("Choose a file.")})
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError(_("A closed incident can no longer be changed."))
    uploads = [(upload, *_check_upload(upload)) for upload in attachments]
    stored: list = []
    try:
        made = _store_attachments(actor, incident, uploads, stored)
        audit.record(
            actor=actor,
            action="incident.files_added",
            organisation_id=_audit_org(incident, side),
            obj=incident,
            object_label=_label(incident),
            changes={"files": [{"sha256": a.sha256, "size": a.size} for a in made]},
        )
    except BaseException:
        _discard(stored)
        raise
    return made


@transaction.atomic
def add_task(
    *,
    actor,
    incident: Incident,
    title: str,
    assignee=None,
    due_on=None,
    shared: bool = False,
) -> IncidentTask:
    incident = _handle(actor, incident)
    errors: dict[str, str] = {}
    title = _text(title, "title", 300, errors, required=True)
    if assignee is not None:
        allowed = selectors.people_who_may_be_named(incident) if shared else selectors.cert_analysts(incident.cert)
        if (
            not allowed.filter(pk=assignee.pk).exists()
            or not Incident.objects.visible_to(assignee, Action.INCIDENT_VIEW).filter(pk=incident.pk).exists()
        ):
            errors["assignee"] = _(
                "Choose an analyst of the CERT, or for a shared task someone of the institution "
                "who can read the incident."
            )
    if errors:
        raise ValidationError(errors)
    task = IncidentTask.objects.create(
        incident=incident,
        title=title,
        assignee=assignee,
        due_on=due_on,
        shared=bool(shared),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="incident.task_added",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes={"shared": bool(shared)},
    )
    return task


@transaction.atomic
def complete_task(*, actor, task: IncidentTask) -> IncidentTask:
    """A task is done: by the CERT, or by the institution for a task shared with it."""
    task = IncidentTask.objects.select_for_update().select_related("incident").get(pk=task.pk)
    side = _side(actor, task.incident)
    if not IncidentTask.objects.visible_to(actor, Action.INCIDENT_VIEW).filter(pk=task.pk).exists():
        raise NotPermitted("task not visible")
    if task.done_at is not None:
        raise ValidationError(_("This task is already done."))
    task.done_at = timezone.now()
    task.save(update_fields=["done_at", "updated_at"])
    audit.record(
        actor=actor,
        action="incident.task_done",
        organisation_id=_audit_org(task.incident, side),
        obj=task.incident,
        object_label=_label(task.incident),
    )
    return task


@transaction.atomic
def link_incidents(*, actor, incident: Incident, related: Incident, note: str = "") -> IncidentLink:
    """The CERT notes that two incidents of its constituency belong together."""
    incident = _handle(actor, incident)
    if not Incident.objects.visible_to(actor, Action.INCIDENT_HANDLE).filter(pk=related.pk).exists():
        raise NotPermitted("related incident not handled by this user")
    errors: dict[str, str] = {}
    note = _text(note, "note", 300, errors)
    if related.pk == incident.pk:
        errors["related"] = _("An incident cannot be related to itself.")
    elif IncidentLink.objects.filter(incident__in=[incident, related], related__in=[incident, related]).exists():
        errors["related"] = _("These incidents are already linked.")
    if errors:
        raise ValidationError(errors)
    link = IncidentLink.objects.create(incident=incident, related=related, note=note, created_by=actor)
    audit.record(
        actor=actor,
        action="incident.linked",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes={"related": str(related.public_id)},
    )
    return link


@transaction.atomic
def request_intermediate_report(*, actor, incident: Incident, message: str) -> Incident:
    """The CERT asks the institution for an intermediate report (NIS2 Art. 23(4)(c)): on the
    timeline, in the platform and by e-mail to the people who may read the report."""
    incident = _handle(actor, incident)
    errors: dict[str, str] = {}
    message = _text(message, "message", MAX_TEXT, errors, required=True)
    if incident.status == IncidentStatus.CLOSED:
        errors["__all__"] = _("A closed incident can no longer be changed.")
    if errors:
        raise ValidationError(errors)
    incident.intermediate_requested_at = timezone.now()
    incident.save(update_fields=["intermediate_requested_at", "updated_at"])
    TimelineEntry.objects.create(
        incident=incident,
        kind=EntryKind.REQUEST,
        occurred_at=incident.intermediate_requested_at,
        author=actor,
        author_side=Side.CERT,
        body=message,
    )
    members = Membership.objects.filter(
        organisation=incident.organisation, role__in=[Role.IBP_OFFICER, Role.DPO], is_active=True
    ).select_related("user")
    candidates = {m.user for m in members if m.user.is_active} | {incident.reported_by}
    readers = _readers(incident, sorted(candidates, key=lambda u: u.pk))
    text = _("The CERT asks for an intermediate report on incident %(reference)s.") % {"reference": incident.reference}
    Notice.objects.bulk_create([Notice(user=p, incident=incident, message=text) for p in readers])
    audit.record(
        actor=actor,
        action="incident.intermediate_requested",
        organisation_id=_audit_org(incident, Side.CERT),
        obj=incident,
        object_label=_label(incident),
        changes={"recipients": len(readers)},
    )
    messages = [_message(_("Intermediate report requested"), text, incident, p.email) for p in readers]
    transaction.on_commit(lambda: _mail(messages))
    return incident


# --- NIS2 applicability --------------------------------------------------------------------------


@transaction.atomic
def set_nis2_applicability(*, actor, organisation: Organisation, applies: bool) -> IncidentSettings:
    """Whether the NIS2 reporting duties apply to an organisation: set by its own managers or by
    the CERT of its constituency. Applies to reports sent from now on."""
    if not (
        can(actor, Action.ORGANISATION_CHANGE, organisation.pk) or can(actor, Action.INCIDENT_HANDLE, organisation.pk)
    ):
        raise NotPermitted("may not change incident settings here")
    if organisation.kind not in MEASURED_KINDS:
        raise ValidationError({"organisation": _("Only schools, boards and institutions report incidents here.")})
    if not isinstance(applies, bool):
        raise ValidationError({"nis2_applies": _("Choose yes or no.")})
    before = selectors.nis2_applies_for(organisation)
    setting, _created = IncidentSettings.objects.update_or_create(
        organisation=organisation, defaults={"nis2_applies": applies, "updated_by": actor}
    )
    audit.record(
        actor=actor,
        action="incident.nis2_setting_changed",
        organisation_id=organisation.pk,
        obj=organisation,
        changes={"nis2_applies": [before, applies]},
    )
    return setting


# --- lessons learned -----------------------------------------------------------------------------


def _identifying_terms(incident: Incident) -> list[str]:
    organisation = incident.organisation
    terms = [
        organisation.name,
        organisation.brin,
        organisation.board_number,
        incident.contact_name,
        incident.contact_email,
        incident.reported_by.full_name,
        incident.reported_by.email,
    ]
    if organisation.parent_id:
        terms += [
            organisation.parent.name,
            organisation.parent.brin,
            organisation.parent.board_number,
        ]
    return [t.strip() for t in terms if t and len(t.strip()) >= 4]


@transaction.atomic
def save_lesson(
    *,
    actor,
    incident: Incident,
    title: str,
    summary: str,
    recommendations: str,
    what_worked: str = "",
    to_improve: str = "",
    tlp: str = Tlp.GREEN,
) -> Lesson:
    """Draft or change the anonymised evaluation of a closed incident. A change asks both sides
    to agree again; a published lesson is not changed any more."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    if incident.status != IncidentStatus.CLOSED:
        raise ValidationError(_("A lesson is written after the incident has been closed."))
    lesson = Lesson.objects.select_for_update().filter(incident=incident).first()
    if lesson is not None and lesson.status == LessonStatus.PUBLISHED:
        raise ValidationError(_("This lesson has been published and can no longer be changed."))
    errors: dict[str, str] = {}
    texts = {
        "title": _text(title, "title", 200, errors, required=True),
        "summary": _text(summary, "summary", MAX_TEXT, errors, required=True),
        "what_worked": _text(what_worked, "what_worked", MAX_TEXT, errors),
        "to_improve": _text(to_improve, "to_improve", MAX_TEXT, errors),
        "recommendations": _text(recommendations, "recommendations", MAX_TEXT, errors, required=True),
    }
    if tlp not in LESSON_TLPS:
        errors["tlp"] = _("A lesson is shared as TLP:CLEAR, TLP:GREEN or TLP:AMBER.")
    for field, text in texts.items():
        found = [term for term in _identifying_terms(incident) if term.lower() in text.lower()]
        if found and field not in errors:
            errors[field] = _("Lessons are published anonymously: leave out “%(term)s”.") % {"term": found[0]}
    if errors:
        raise ValidationError(errors)
    sector = incident.organisation.sector or (
        incident.organisation.parent.sector if incident.organisation.parent_id else None
    )
    values = {
        **texts,
        "tlp": tlp,
        "category": incident.category,
        "sector_code": sector.code if sector else "",
    }
    if lesson is None:
        lesson = Lesson(incident=incident)
        changes = {"created": True}
    else:
        changes = audit.field_changes(lesson, [*texts, "tlp"], values)
        changes = dict.fromkeys(changes, True)  # names only: drafts are not for the audit log
    for field, value in values.items():
        setattr(lesson, field, value)
    lesson.institution_agreed_by = lesson.cert_agreed_by = None
    lesson.institution_agreed_at = lesson.cert_agreed_at = None
    lesson.save()
    audit.record(
        actor=actor,
        action="incident.lesson_saved",
        organisation_id=_audit_org(incident, side),
        obj=incident,
        object_label=_label(incident),
        changes=changes,
    )
    return lesson


@transaction.atomic
def agree_lesson(*, actor, incident: Incident) -> Lesson:
    """One side agrees with the lesson as written; when both have, it is published."""
    incident = _lock(incident)
    side = _side(actor, incident)
    _visible(actor, incident, Action.INCIDENT_HANDLE if side == Side.CERT else Action.INCIDENT_REPORT)
    lesson = Lesson.objects.select_for_update().filter(incident=incident).first()
    if lesson is None:
        raise ValidationError(_("There is no lesson to agree with yet."))
    if lesson.status == LessonStatus.PUBLISHED:
        raise ValidationError(_("This lesson has already been published."))
    now = timezone.now()
    if side == Side.CERT:
        lesson.cert_agreed_by, lesson.cert_agreed_at = actor, now
    else:
        lesson.institution_agreed_by, lesson.institution_agreed_at = actor, now
    if lesson.cert_agreed_at and lesson.institution_agreed_at:
        lesson.status, lesson.published_at = LessonStatus.PUBLISHED, now
    lesson.save()
    audit.record(
        actor=actor,
        action="incident.lesson_agreed",
        organisation_id=_audit_org(incident, side),
        obj=incident,
        object_label=_label(incident),
        changes={"side": side, "published": lesson.status == LessonStatus.PUBLISHED},
    )
    return lesson
