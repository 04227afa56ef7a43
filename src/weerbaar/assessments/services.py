"""Writes on assessments: starting, scoring, evidence, the submit–review–final workflow, and the
improvement actions that follow. A final assessment is locked: every function here refuses to
change it, and the pages, the API and the importers only write through these functions."""

import hashlib
import math
import mimetypes
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.assessments.choices import (
    OPEN_ACTION_STATUSES,
    REVIEWED_KINDS,
    ActionSource,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
)
from weerbaar.assessments.models import (
    Assessment,
    DomainTarget,
    Evidence,
    ImprovementAction,
    NormScore,
    ScoreRollup,
)
from weerbaar.assessments.scoring import score_assessment
from weerbaar.assessments.selectors import answers_of, domain_order_of
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted, require
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.models import FrameworkVersion
from weerbaar.organisations.choices import MEASURED_KINDS, OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

# Evidence uploads: what a school typically has as proof, nothing executable.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
# Leading bytes of each type, so a renamed executable is not accepted as a PDF.
_MAGIC = {
    ".pdf": [b"%PDF-"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".pptx": [b"PK\x03\x04"],
    ".odt": [b"PK\x03\x04"],
    ".ods": [b"PK\x03\x04"],
}
MAX_TEXT = 10_000


def _editable(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment is no longer a draft and cannot be changed."))


def _text(value: str | None, field: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("This text is too long (at most %(limit)d characters).") % {"limit": limit}})
    return value


def targets_for(organisation: Organisation, version: FrameworkVersion) -> dict[str, int]:
    """The organisation's own target levels for the domains of this framework (its risk profile)."""
    domain_codes = set(version.domains.values_list("code", flat=True))
    return {
        t.domain_code: t.target_level
        for t in DomainTarget.objects.filter(organisation=organisation, framework_id=version.framework_id)
        if t.domain_code in domain_codes
    }


def last_final_assessment(organisation: Organisation, framework_id: int) -> Assessment | None:
    return (
        Assessment.objects.filter(
            organisation=organisation, framework_version__framework_id=framework_id, status=AssessmentStatus.FINAL
        )
        .order_by("-finalised_at")
        .first()
    )


@transaction.atomic
def start_assessment(
    *,
    actor,
    organisation: Organisation,
    framework_version: FrameworkVersion,
    kind: str = AssessmentKind.SELF,
    title: str = "",
    start_from_last: bool = False,
) -> Assessment:
    """Open a new draft assessment with an empty score for every norm of the version. With
    `start_from_last`, levels and justifications are copied (by norm code) from the organisation's
    last final assessment on the same framework, as a starting point to review."""
    require(actor, Action.ASSESSMENT_EDIT, organisation.pk)
    if organisation.kind not in MEASURED_KINDS:
        raise ValidationError(_("Only boards, institutions and schools are assessed."))
    if framework_version.status != VersionStatus.PUBLISHED or not framework_version.scored:
        raise ValidationError({"framework_version": _("Choose a published framework version with maturity levels.")})
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of assessment.")})
    title = (
        _text(title, "title", 200)
        or f"{framework_version.framework.code} {framework_version.label} · {timezone.localdate():%Y-%m-%d}"
    )
    previous = last_final_assessment(organisation, framework_version.framework_id) if start_from_last else None
    if start_from_last and previous is None:
        raise ValidationError(_("There is no final assessment on this framework to start from."))
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework_version=framework_version,
        kind=kind,
        title=title,
        started_from=previous,
        targets=targets_for(organisation, framework_version),
        started_by=actor,
    )
    carried = {}
    if previous is not None:
        carried = {s.norm.code: s for s in NormScore.objects.filter(assessment=previous).select_related("norm")}
    scores = []
    for norm in framework_version.norms.order_by("position"):
        old = carried.get(norm.code)
        scores.append(
            NormScore(
                assessment=assessment,
                norm=norm,
                level=old.level if old else None,
                not_applicable=old.not_applicable if old else False,
                not_applicable_reason=old.not_applicable_reason if old else "",
                justification=old.justification if old else "",
                updated_by=actor,
            )
        )
    NormScore.objects.bulk_create(scores)
    audit.record(
        actor=actor,
        action="assessment.started",
        organisation_id=organisation.pk,
        obj=assessment,
        changes={
            "framework": framework_version.framework.code,
            "version": framework_version.label,
            "kind": kind,
            "started_from": str(previous.public_id) if previous else None,
            "norms": len(scores),
        },
    )
    return assessment


def _answer(*, level, not_applicable: bool, not_applicable_reason: str, justification: str) -> dict:
    """The checked values of one norm's answer, or a ValidationError naming the bad fields.
    Shared by every door that records answers (one norm at a time or a whole import)."""
    errors = {}
    if not_applicable:
        level = None
        try:
            not_applicable_reason = _text(not_applicable_reason, "not_applicable_reason")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if not not_applicable_reason:
                errors["not_applicable_reason"] = _("Explain why this norm does not apply.")
    else:
        not_applicable_reason = ""
        if level is not None and (not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5):
            errors["level"] = _("Choose a level from 1 to 5.")
    try:
        justification = _text(justification, "justification")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {
        "level": level,
        "not_applicable": bool(not_applicable),
        "not_applicable_reason": not_applicable_reason,
        "justification": justification,
    }


@transaction.atomic
def save_score(
    *,
    actor,
    score: NormScore,
    level: int | None,
    not_applicable: bool = False,
    not_applicable_reason: str = "",
    justification: str = "",
) -> NormScore:
    """Record the institution's level for one norm (or that it does not apply, with a reason)."""
    assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
    require(actor, Action.ASSESSMENT_EDIT, assessment.organisation_id)
    _editable(assessment)
    new = _answer(
        level=level,
        not_applicable=not_applicable,
        not_applicable_reason=not_applicable_reason,
        justification=justification,
    )
    changes = audit.field_changes(score, list(new), new)
    if not changes:
        return score
    for name, value in new.items():
        setattr(score, name, value)
    score.updated_by = actor
    score.save()
    audit.record(
        actor=actor,
        action="assessment.score_saved",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        object_label=f"{assessment.title} · {score.norm.code}",
        changes={"norm": score.norm.code, **changes},
    )
    return score


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    if not name or len(name) > 255:
        raise ValidationError({"file": _("The file needs a name of at most 255 characters.")})
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _(
                    "This type of file is not accepted. "
                    "Use PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, text or CSV."
                )
            }
        )
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is too large (at most %(mb)d MB).")
                % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    signatures = _MAGIC.get(extension)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError({"file": _("The content of the file does not match its type.")})
    if extension in {".txt", ".csv"} and b"\x00" in head:
        raise ValidationError({"file": _("The content of the file does not match its type.")})
    return name, EVIDENCE_TYPES[extension]


@transaction.atomic
def add_evidence_file(*, actor, score: NormScore, upload: UploadedFile) -> Evidence:
    """Attach a document as evidence for a norm; kept with its SHA-256 for later verification."""
    assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
    require(actor, Action.ASSESSMENT_EDIT, assessment.organisation_id)
    _editable(assessment)
    name, content_type = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        score=score,
        name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save(f"{evidence.public_id}{mimetypes.guess_extension(content_type) or ''}", upload, save=False)
    try:
        evidence.save()
    except Exception:
        # Nothing points at the file when its row could not be written.
        evidence.file.delete(save=False)
        raise
    audit.record(
        actor=actor,
        action="assessment.evidence_added",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        object_label=f"{assessment.title} · {score.norm.code}",
        changes={"norm": score.norm.code, "file": name, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


@transaction.atomic
def add_evidence_link(*, actor, score: NormScore, url: str, name: str = "") -> Evidence:
    assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
    require(actor, Action.ASSESSMENT_EDIT, assessment.organisation_id)
    _editable(assessment)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": _("Enter a full web address starting with https://.")}) from exc
    if len(url) > 1000:
        raise ValidationError({"url": _("The address is too long.")})
    name = _text(name, "name", 255) or url[:255]
    evidence = Evidence.objects.create(score=score, url=url, name=name, uploaded_by=actor)
    audit.record(
        actor=actor,
        action="assessment.evidence_added",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        object_label=f"{assessment.title} · {score.norm.code}",
        changes={"norm": score.norm.code, "link": url},
    )
    return evidence


@transaction.atomic
def remove_evidence(*, actor, evidence: Evidence) -> None:
    score = evidence.score
    assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
    require(actor, Action.ASSESSMENT_EDIT, assessment.organisation_id)
    _editable(assessment)
    stored = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage if evidence.file else None
    audit.record(
        actor=actor,
        action="assessment.evidence_removed",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        object_label=f"{assessment.title} · {score.norm.code}",
        changes={"norm": score.norm.code, "name": evidence.name, "sha256": evidence.sha256},
    )
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def submit_assessment(*, actor, assessment: Assessment) -> Assessment:
    """A board member approves the draft and submits it. Every norm must be answered."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, Action.ASSESSMENT_SUBMIT, assessment.organisation_id)
    _editable(assessment)
    open_norms = list(
        assessment.scores.filter(level__isnull=True, not_applicable=False).values_list("norm__code", flat=True)[:6]
    )
    if open_norms:
        shown = ", ".join(open_norms[:5]) + (" …" if len(open_norms) > 5 else "")
        raise ValidationError(_("Not every norm has been answered yet (for example %(norms)s).") % {"norms": shown})
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by = actor
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="assessment.submitted",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        changes={"status": [AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED]},
    )
    return assessment


@transaction.atomic
def reopen_assessment(*, actor, assessment: Assessment) -> Assessment:
    """A board member sends a submitted assessment back to draft for changes."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, Action.ASSESSMENT_SUBMIT, assessment.organisation_id)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment that is not yet under review can be reopened."))
    assessment.status = AssessmentStatus.DRAFT
    assessment.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="assessment.reopened",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        changes={"status": [AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT]},
    )
    return assessment


def reviewer_candidates(assessment: Assessment):
    """People who may review this assessment: auditors at an audit firm for audits; for a peer
    review, IBP officers of another measured organisation."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if assessment.kind == AssessmentKind.PEER_REVIEW:
        memberships = Membership.objects.filter(
            is_active=True, role=Role.IBP_OFFICER, organisation__kind__in=MEASURED_KINDS, organisation__is_active=True
        ).exclude(organisation=assessment.organisation)
    else:
        memberships = Membership.objects.filter(is_active=True, role=Role.AUDITOR, organisation__is_active=True)
    return users.filter(pk__in=memberships.values("user_id")).order_by("full_name", "email")


@transaction.atomic
def assign_reviewer(*, actor, assessment: Assessment, reviewer) -> Assessment:
    """Hand a submitted audit or peer review to its reviewer; it is then under review."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, Action.ASSESSMENT_SUBMIT, assessment.organisation_id)
    if assessment.kind not in REVIEWED_KINDS:
        raise ValidationError(_("A self-assessment has no reviewer."))
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("A reviewer is assigned after the assessment has been submitted."))
    if reviewer is None or not reviewer_candidates(assessment).filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": _("This person cannot review this assessment.")})
    if Membership.objects.filter(user=reviewer, organisation=assessment.organisation, is_active=True).exists():
        raise ValidationError({"reviewer": _("A reviewer must be independent of the organisation.")})
    membership = (
        Membership.objects.filter(user=reviewer, is_active=True, role__in=[Role.AUDITOR, Role.IBP_OFFICER])
        .exclude(organisation=assessment.organisation)
        .select_related("organisation")
        .first()
    )
    assessment.reviewer = reviewer
    assessment.reviewer_organisation = membership.organisation if membership else None
    assessment.status = AssessmentStatus.UNDER_REVIEW
    assessment.save(update_fields=["reviewer", "reviewer_organisation", "status", "updated_at"])
    audit.record(
        actor=actor,
        action="assessment.reviewer_assigned",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        changes={"reviewer": reviewer.email, "status": [AssessmentStatus.SUBMITTED, AssessmentStatus.UNDER_REVIEW]},
    )
    return assessment


def _require_reviewer(actor, assessment: Assessment) -> None:
    if actor is None or assessment.reviewer_id != actor.pk or not actor.is_active:
        raise NotPermitted("only the assigned reviewer reviews this assessment")
    if assessment.status != AssessmentStatus.UNDER_REVIEW:
        raise ValidationError(_("This assessment is not under review."))


@transaction.atomic
def record_review(*, actor, score: NormScore, auditor_level: int | None, auditor_note: str = "") -> NormScore:
    """The reviewer's own level and note for one norm, beside the institution's."""
    assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
    _require_reviewer(actor, assessment)
    if auditor_level is not None and (
        isinstance(auditor_level, bool) or not isinstance(auditor_level, int) or not 1 <= auditor_level <= 5
    ):
        raise ValidationError({"auditor_level": _("Choose a level from 1 to 5.")})
    auditor_note = _text(auditor_note, "auditor_note")
    new = {"auditor_level": auditor_level, "auditor_note": auditor_note}
    changes = audit.field_changes(score, list(new), new)
    if not changes:
        return score
    score.auditor_level = auditor_level
    score.auditor_note = auditor_note
    score.save(update_fields=["auditor_level", "auditor_note", "updated_at"])
    audit.record(
        actor=actor,
        action="assessment.review_recorded",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        object_label=f"{assessment.title} · {score.norm.code}",
        changes={"norm": score.norm.code, **changes},
    )
    return score


@transaction.atomic
def finalise_assessment(*, actor, assessment: Assessment, review_summary: str = "") -> Assessment:
    """Lock the assessment. A self-assessment is finalised by a board member after submission;
    an audit or peer review by its reviewer. Gaps become improvement actions, unless an open
    action for the same norm already exists (it carries over)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.kind in REVIEWED_KINDS:
        _require_reviewer(actor, assessment)
    else:
        require(actor, Action.ASSESSMENT_APPROVE, assessment.organisation_id)
        if assessment.status != AssessmentStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted self-assessment can be made final."))
    old_status = assessment.status
    assessment.status = AssessmentStatus.FINAL
    assessment.finalised_by = actor
    assessment.finalised_at = timezone.now()
    assessment.review_summary = _text(review_summary, "review_summary")
    assessment.save(update_fields=["status", "finalised_by", "finalised_at", "review_summary", "updated_at"])
    result = score_assessment(answers_of(assessment), domain_order_of(assessment.framework_version), assessment.targets)
    # The derived scores are kept with the final assessment, in this transaction, so the sector
    # monitor aggregates a cycle from them rather than from every norm score again.
    store_rollups(
        scores={assessment.pk: ({d.domain_code: d.score for d in result.domains}, result.overall)}, replace=True
    )
    created = _actions_for_gaps(actor=actor, assessment=assessment, result=result)
    audit.record(
        actor=actor,
        action="assessment.finalised",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        changes={"status": [old_status, AssessmentStatus.FINAL], "improvement_actions_created": created},
    )
    return assessment


def store_rollups(
    *, scores: Mapping[int, tuple[Mapping[str, float | None], float | None]], replace: bool = False
) -> int:
    """Keep the derived scores of final assessments: {assessment id: ({domain code: score},
    overall)}. Derived data, written by the system (finalisation, the monitor's refresh from the
    norm scores), so no actor and no audit entry: the finalisation itself is audited. With
    `replace`, rows already stored for these assessments are replaced; without it, assessments
    that already have rows are left alone. Returns the number of assessments written."""
    if not scores:
        return 0
    ids = list(scores)
    if replace:
        ScoreRollup.objects.filter(assessment_id__in=ids).delete()
    else:
        done = set(
            ScoreRollup.objects.filter(assessment_id__in=ids, column=ScoreRollup.OVERALL).values_list(
                "assessment_id", flat=True
            )
        )
        ids = [i for i in ids if i not in done]
    rows = []
    for assessment_id in ids:
        domains, overall = scores[assessment_id]
        # The overall row is always there (empty when nothing counts): it marks the assessment
        # as rolled up. Domains without a score have no row.
        rows.append(ScoreRollup(assessment_id=assessment_id, column=ScoreRollup.OVERALL, score=overall))
        rows.extend(
            ScoreRollup(assessment_id=assessment_id, column=code, score=score)
            for code, score in domains.items()
            if score is not None and code != ScoreRollup.OVERALL
        )
    ScoreRollup.objects.bulk_create(rows, batch_size=5000)
    return len(ids)


def _actions_for_gaps(*, actor, assessment: Assessment, result=None) -> int:
    version = assessment.framework_version
    if result is None:
        result = score_assessment(answers_of(assessment), domain_order_of(version), assessment.targets)
    gap_codes = set(result.gaps)
    if not gap_codes:
        return 0
    already_open = set(
        ImprovementAction.objects.filter(
            organisation=assessment.organisation,
            framework_id=version.framework_id,
            norm_code__in=gap_codes,
            status__in=OPEN_ACTION_STATUSES,
        ).values_list("norm_code", flat=True)
    )
    titles = dict(version.norms.filter(code__in=gap_codes).values_list("code", "title_nl"))
    new_actions = [
        ImprovementAction(
            organisation=assessment.organisation,
            title=f"{code} {titles.get(code, '')}".strip(),
            source=ActionSource.AUDIT_FINDING if assessment.kind in REVIEWED_KINDS else ActionSource.ASSESSMENT_GAP,
            framework_id=version.framework_id,
            norm_code=code,
            source_assessment=assessment,
        )
        for code in sorted(gap_codes - already_open)
    ]
    ImprovementAction.objects.bulk_create(new_actions)
    return len(new_actions)


ACTION_FIELDS = ["title", "description", "owner", "due_date", "status"]


@transaction.atomic
def update_improvement_action(*, actor, action: ImprovementAction, **values) -> ImprovementAction:
    require(actor, Action.ASSESSMENT_EDIT, action.organisation_id)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    errors = {}
    if "title" in values:
        values["title"] = _text(values["title"], "title", 300)
        if not values["title"]:
            errors["title"] = _("Give the action a title.")
    if "description" in values:
        values["description"] = _text(values["description"], "description")
    if "status" in values and values["status"] not in ActionStatus.values:
        errors["status"] = _("Choose a valid status.")
    if (
        "owner" in values
        and values["owner"] is not None
        and not Membership.objects.filter(
            user=values["owner"], organisation=action.organisation, is_active=True
        ).exists()
    ):
        errors["owner"] = _("The owner must be a member of this organisation.")
    if "due_date" in values and values["due_date"] is not None and not isinstance(values["due_date"], date):
        errors["due_date"] = _("Enter a valid date.")
    if errors:
        raise ValidationError(errors)
    changes = audit.field_changes(action, list(values), values)
    if not changes:
        return action
    for name, value in values.items():
        setattr(action, name, value)
    if "status" in values:
        action.completed_at = timezone.now() if values["status"] == ActionStatus.DONE else None
    action.save()
    audit.record(
        actor=actor,
        action="improvement_action.changed",
        organisation_id=action.organisation_id,
        obj=action,
        changes={
            k: [str(v[0]) if v[0] is not None else None, str(v[1]) if v[1] is not None else None]
            for k, v in changes.items()
        },
    )
    return action


@transaction.atomic
def create_improvement_action(
    *,
    actor,
    organisation: Organisation,
    title: str,
    source: str = ActionSource.OTHER,
    description: str = "",
    owner=None,
    due_date: date | None = None,
    framework=None,
    norm_code: str = "",
) -> ImprovementAction:
    """Add an action to the organisation's one improvement plan (also used for exercise findings)."""
    require(actor, Action.ASSESSMENT_EDIT, organisation.pk)
    if source not in ActionSource.values:
        raise ValidationError({"source": _("Choose a valid source.")})
    title = _text(title, "title", 300)
    if not title:
        raise ValidationError({"title": _("Give the action a title.")})
    if (
        owner is not None
        and not Membership.objects.filter(user=owner, organisation=organisation, is_active=True).exists()
    ):
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})
    action = ImprovementAction.objects.create(
        organisation=organisation,
        title=title,
        description=_text(description, "description"),
        source=source,
        owner=owner,
        due_date=due_date,
        framework=framework,
        norm_code=norm_code[:64],
    )
    audit.record(
        actor=actor,
        action="improvement_action.created",
        organisation_id=organisation.pk,
        obj=action,
        changes={"title": title, "source": source},
    )
    return action


@transaction.atomic
def set_domain_target(
    *, actor, organisation: Organisation, framework, domain_code: str, target_level: int | None, reason: str = ""
) -> None:
    """Set (or with None, remove) the organisation's own target for a domain. Applies to
    assessments started afterwards."""
    require(actor, Action.ASSESSMENT_EDIT, organisation.pk)
    if target_level is not None and target_level not in (1, 2, 3, 4, 5):
        raise ValidationError({"target_level": _("Choose a level from 1 to 5.")})
    reason = _text(reason, "reason")
    existing = DomainTarget.objects.filter(
        organisation=organisation, framework=framework, domain_code=domain_code
    ).first()
    old = existing.target_level if existing else None
    if target_level is None:
        if existing:
            existing.delete()
    elif existing:
        existing.target_level = target_level
        existing.reason = reason
        existing.save()
    else:
        DomainTarget.objects.create(
            organisation=organisation,
            framework=framework,
            domain_code=domain_code,
            target_level=target_level,
            reason=reason,
        )
    if old != target_level:
        audit.record(
            actor=actor,
            action="assessment.domain_target_set",
            organisation_id=organisation.pk,
            object_label=f"{framework.code} {domain_code}",
            changes={"target_level": [old, target_level], "reason": reason},
        )


@transaction.atomic
def import_scores(*, actor, assessment: Assessment, rows) -> dict[str, int]:
    """Apply the answers of an imported self-assessment spreadsheet (`spreadsheet.ImportRow`s)
    to a draft assessment: all rows or none. Each row is the whole answer for its norm; norms
    not in the file keep their answer. Every row is checked as `save_score` checks one answer;
    on any problem nothing is written and every problem is listed with its row and field.
    Returns {"rows": ..., "changed": ...}."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, Action.ASSESSMENT_EDIT, assessment.organisation_id)
    _editable(assessment)
    scores = {s.norm.code: s for s in NormScore.objects.filter(assessment=assessment).select_related("norm")}
    problems: list[ValidationError] = []
    seen: set[str] = set()
    planned: list[tuple[NormScore, dict]] = []
    for row in rows:
        where = {"row": row.row, "norm": row.norm_code}
        score = scores.get(row.norm_code)
        if score is None:
            problems.append(
                ValidationError(
                    _("There is no norm %(norm)s in this assessment."),
                    code="norm_code",
                    params={**where, "column": "norm_code"},
                )
            )
            continue
        if row.norm_code in seen:
            problems.append(
                ValidationError(
                    _("Norm %(norm)s occurs more than once."), code="norm_code", params={**where, "column": "norm_code"}
                )
            )
            continue
        seen.add(row.norm_code)
        try:
            new = _answer(
                level=row.level,
                not_applicable=row.not_applicable,
                not_applicable_reason=row.not_applicable_reason,
                justification=row.justification,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems.extend(
                    ValidationError(message, code=field, params={**where, "column": field}) for message in messages
                )
            continue
        planned.append((score, new))
    if problems:
        raise ValidationError(problems)
    if not planned:
        raise ValidationError(_("The file holds no answers to import."))
    now = timezone.now()
    changed = []
    for score, new in planned:
        if not audit.field_changes(score, list(new), new):
            continue
        for name, value in new.items():
            setattr(score, name, value)
        score.updated_by = actor
        score.updated_at = now
        changed.append(score)
    NormScore.objects.bulk_update(
        changed,
        ["level", "not_applicable", "not_applicable_reason", "justification", "updated_by", "updated_at"],
        batch_size=500,
    )
    audit.record(
        actor=actor,
        action="assessment.scores_imported",
        organisation_id=assessment.organisation_id,
        obj=assessment,
        changes={"rows": len(planned), "changed": len(changed), "norms": sorted(s.norm.code for s in changed)},
    )
    return {"rows": len(planned), "changed": len(changed)}


# The frameworks the demo assessments use (the shipped catalogues).
DEMO_VERSIONS = {"IBP-FO": "2024", "SURFAUDIT": "2021"}
# Boards and institutions that report for themselves (schools report through their board).
_DEMO_POPULATION_KINDS = (
    OrganisationKind.SCHOOL_BOARD,
    OrganisationKind.INSTITUTION,
    OrganisationKind.RESEARCH_INSTITUTE,
)
# Share of those that should have a final assessment, so that sector figures have enough behind them.
DEMO_FINAL_SHARE = 0.6


def _demo_present(organisation: Organisation, plan) -> bool:
    """Whether the organisation already has an assessment that plays this plan's part in the demo
    (made by an earlier run, or by the demo monitor)."""
    existing = Assessment.objects.filter(
        organisation=organisation, framework_version__framework__code=plan.framework_code
    )
    if plan.status == AssessmentStatus.FINAL:
        return existing.filter(status=AssessmentStatus.FINAL, finalised_at__year=plan.finalised_on.year).exists()
    return existing.filter(status=plan.status, kind=plan.kind).exists()


@transaction.atomic
def load_demo_assessments(*, actor=None, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Give the demo sector assessments in every state: for the PO board of the demo IBP officer
    last year's final self-assessment and a draft about half answered; for the demo MBO
    institution an external audit under review by the demo auditor and a final one; and final
    assessments for a fixed sample of the other boards and institutions (until at least
    DEMO_FINAL_SHARE of them has one).

    System data for the demo only (never in production, never by a person): written in bulk,
    with one audit entry per assessment, and only what is not there yet, so a second run changes
    nothing. Parts whose framework or organisation is missing are left out. Returns how many
    assessments were added per status."""
    from weerbaar.assessments import demo
    from weerbaar.organisations.demo import DEMO_EMAIL_DOMAIN

    if actor is not None:
        raise NotPermitted("the demo assessments are loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo assessments are never loaded in production")
    today = today or timezone.localdate()
    versions = {}
    for code, label in DEMO_VERSIONS.items():
        version = (
            FrameworkVersion.objects.filter(
                framework__code=code, label=label, status=VersionStatus.PUBLISHED, scored=True
            )
            .prefetch_related("framework__sectors")
            .first()
        )
        if version is not None:
            versions[code] = version
    norm_ids = {code: dict(v.norms.order_by("position").values_list("code", "pk")) for code, v in versions.items()}

    def home(local: str, role: str) -> Membership | None:
        return (
            Membership.objects.filter(user__email=f"{local}@{DEMO_EMAIL_DOMAIN}", role=role, is_active=True)
            .select_related("organisation", "user")
            .first()
        )

    plans = []
    officer, mbo_officer, auditor = (
        home("ibp", Role.IBP_OFFICER),
        home("ibp.mbo", Role.IBP_OFFICER),
        home("auditor", Role.AUDITOR),
    )
    if officer and "IBP-FO" in versions:
        plans += [
            (officer.organisation, p)
            for p in demo.for_ibp_officer(seed, today, officer.organisation.name, list(norm_ids["IBP-FO"]))
        ]
    if mbo_officer and auditor and "SURFAUDIT" in versions:
        plans += [
            (mbo_officer.organisation, p)
            for p in demo.for_mbo_institution(
                seed, today, mbo_officer.organisation.name, list(norm_ids["SURFAUDIT"]), auditor.user.email
            )
        ]

    framework_of_sector = {
        sector.code: code for code, version in versions.items() for sector in version.framework.sectors.all()
    }
    population = [
        o
        for o in Organisation.objects.filter(kind__in=_DEMO_POPULATION_KINDS, is_active=True).select_related("sector")
        if o.sector_id and o.sector.code in framework_of_sector
    ]
    with_final = set(
        Assessment.objects.filter(status=AssessmentStatus.FINAL, organisation__in=population).values_list(
            "organisation_id", flat=True
        )
    )
    with_final |= {o.pk for o, p in plans if p.status == AssessmentStatus.FINAL}
    wanted = math.ceil(DEMO_FINAL_SHARE * len(population)) - len(with_final)
    by_name = {o.name: o for o in population if o.pk not in with_final}
    for name in demo.sample(seed, list(by_name), wanted):
        organisation = by_name[name]
        code = framework_of_sector[organisation.sector.code]
        plans.append((organisation, demo.final_for(seed, today, name, code, DEMO_VERSIONS[code], list(norm_ids[code]))))

    plans = [(organisation, plan) for organisation, plan in plans if not _demo_present(organisation, plan)]
    counts = dict.fromkeys(AssessmentStatus.values, 0)
    if not plans:
        return counts

    def noon(day: date | None):
        return timezone.make_aware(datetime.combine(day, time(12, 0))) if day else None

    reviewer = auditor.user if auditor else None
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                organisation=organisation,
                framework_version=versions[plan.framework_code],
                kind=plan.kind,
                status=plan.status,
                title=plan.title,
                targets=targets_for(organisation, versions[plan.framework_code]),
                submitted_at=noon(plan.submitted_on),
                finalised_at=noon(plan.finalised_on),
                reviewer=reviewer if plan.reviewer_email else None,
                reviewer_organisation=auditor.organisation if plan.reviewer_email else None,
            )
            for organisation, plan in plans
        ]
    )
    scores = []
    for assessment, (_organisation, plan) in zip(assessments, plans, strict=True):
        for code, answer in plan.answers.items():
            scores.append(
                NormScore(
                    assessment=assessment,
                    norm_id=norm_ids[plan.framework_code][code],
                    level=answer.level,
                    not_applicable=bool(answer.not_applicable_reason),
                    not_applicable_reason=answer.not_applicable_reason,
                    justification=answer.justification,
                    auditor_level=answer.auditor_level,
                    auditor_note=answer.auditor_note,
                )
            )
    NormScore.objects.bulk_create(scores, batch_size=2000)
    for assessment, (organisation, plan) in zip(assessments, plans, strict=True):
        # Started on the planned day rather than today, so lists show them in a believable order.
        Assessment.objects.filter(pk=assessment.pk).update(created_at=noon(plan.started_on))
        actions = _actions_for_gaps(actor=None, assessment=assessment) if plan.status == AssessmentStatus.FINAL else 0
        audit.record(
            actor=None,
            action="assessment.demo_loaded",
            organisation_id=organisation.pk,
            obj=assessment,
            changes={
                "kind": plan.kind,
                "status": plan.status,
                "norms": len(plan.answers),
                "improvement_actions_created": actions,
            },
        )
        counts[plan.status] += 1
    return counts


# Where evidence files are stored (the upload_to of Evidence.file without its date folders).
EVIDENCE_FOLDER = "evidence"


@dataclass(frozen=True)
class EvidenceSweep:
    """What a sweep of the evidence folder found: every stored file, those no evidence row points
    at (with their total size), those of them left alone because they are too new, and how many
    were removed."""

    stored: int
    unreferenced: list[str]
    unreferenced_bytes: int
    too_new: int
    removed: int


def _stored_files(storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}")


def sweep_unreferenced_evidence_files(
    *, delete: bool, min_age: timedelta = timedelta(hours=24), now: datetime | None = None
) -> EvidenceSweep:
    """Find, and with delete=True remove, stored evidence files that no evidence row points at.

    They are left behind when an upload's transaction rolls back after the file was written (the
    row disappears, the file stays). A maintenance job without a person behind it, so it reads
    file names across organisations; it shows nothing of their content. Files younger than
    min_age are skipped: their row may belong to an upload whose transaction is still open."""
    storage = Evidence._meta.get_field("file").storage
    stored = sorted(_stored_files(storage, EVIDENCE_FOLDER))
    referenced = set(Evidence.objects.exclude(file="").values_list("file", flat=True))
    cutoff = (now or timezone.now()) - min_age
    unreferenced, too_new, size = [], 0, 0
    for name in stored:
        if name in referenced:
            continue
        if storage.get_modified_time(name) > cutoff:
            too_new += 1
            continue
        unreferenced.append(name)
        size += storage.size(name)
    removed = 0
    if delete and unreferenced:
        for name in unreferenced:
            # Re-checked one by one: a row may have been written for this name since the list was made.
            if not Evidence.objects.filter(file=name).exists():
                storage.delete(name)
                removed += 1
        with transaction.atomic():
            audit.record(
                actor=None,
                action="assessment.unreferenced_evidence_removed",
                organisation_id=None,
                changes={"files": removed, "bytes": size},
            )
    return EvidenceSweep(
        stored=len(stored), unreferenced=unreferenced, unreferenced_bytes=size, too_new=too_new, removed=removed
    )
