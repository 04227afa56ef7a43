"""Pages for assessments: working through one, reviewing it, its results, import and export."""

# --- workflow pages
from collections.abc import Iterable
from urllib.parse import quote, urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weerbaar.assessments import charts, forms, selectors, services
from weerbaar.assessments.choices import (
    OPEN_ACTION_STATUSES,
    REVIEWED_KINDS,
    ActionSource,
    AssessmentKind,
    AssessmentStatus,
)
from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import apply_validation_error, submit_form
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import can, visible_organisations
from weerbaar.frameworks.choices import LEVELS, VersionStatus
from weerbaar.frameworks.models import active_text
from weerbaar.frameworks.selectors import visible_versions
from weerbaar.organisations.selectors import access_organisation, list_members, list_organisations

NORM_FIELDS = ("level", "not_applicable", "not_applicable_reason", "justification")
REVIEW_FIELDS = ("auditor_level", "auditor_note")
STATUS_TONES = {
    AssessmentStatus.DRAFT: "neutral",
    AssessmentStatus.SUBMITTED: "warning",
    AssessmentStatus.UNDER_REVIEW: "warning",
    AssessmentStatus.FINAL: "ok",
}


def _errors_of(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """A service's refusal as (field errors, errors for the whole form)."""
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in messages_] for name, messages_ in exc.message_dict.items()}
        general = fields.pop("__all__", [])
        return fields, general
    return {}, [str(m) for m in exc.messages]


def _form_errors(form) -> tuple[dict[str, list[str]], list[str]]:
    errors = {name: [str(m) for m in messages_] for name, messages_ in form.errors.items()}
    return errors, errors.pop("__all__", [])


def _work_url(assessment, domain_code: str = "", anchor: str = "") -> str:
    url = reverse("assessments:assessment_detail", args=[assessment.public_id])
    if domain_code:
        url += "?" + urlencode({"domain": domain_code})
    return url + (f"#{anchor}" if anchor else "")


def _is_reviewer(user, assessment) -> bool:
    return assessment.reviewer_id is not None and assessment.reviewer_id == user.pk


WORK_ACTIONS = (
    Action.ASSESSMENT_VIEW,
    Action.ASSESSMENT_EDIT,
    Action.ASSESSMENT_SUBMIT,
    Action.ASSESSMENT_APPROVE,
)


class WorkMode:
    """What the person may do on the work page, decided once per request. `allowed` may be given
    when the request has already established it (a service just accepted an answer)."""

    def __init__(self, user, assessment, allowed: Iterable[Action] | None = None):
        if allowed is None:
            allowed = selectors.allowed_actions(user, assessment.organisation_id, WORK_ACTIONS)
        self.allowed = frozenset(allowed)
        status = assessment.status
        self.member = Action.ASSESSMENT_VIEW in self.allowed
        self.editable = Action.ASSESSMENT_EDIT in self.allowed and status == AssessmentStatus.DRAFT
        self.reviewer = _is_reviewer(user, assessment)
        self.reviewing = self.reviewer and status == AssessmentStatus.UNDER_REVIEW
        reviewed = assessment.kind in REVIEWED_KINDS
        may_submit = Action.ASSESSMENT_SUBMIT in self.allowed
        self.can_submit = may_submit and status == AssessmentStatus.DRAFT
        self.can_reopen = may_submit and status == AssessmentStatus.SUBMITTED
        self.can_assign = may_submit and reviewed and status == AssessmentStatus.SUBMITTED
        self.can_finalise = (self.reviewing and reviewed) or (
            not reviewed and Action.ASSESSMENT_APPROVE in self.allowed and status == AssessmentStatus.SUBMITTED
        )


def _level_rows(norm, chosen: int | None, prefix: str, field: str) -> list[dict]:
    """The five levels of a norm with their names and descriptions (from the norm's own JSON, so
    no query), marking the chosen one."""
    return [
        {
            "value": level,
            "label": _level_label(level),
            "text": norm.level_text(level),
            "checked": chosen == level,
            "id": f"{prefix}-{field}-{level}",
        }
        for level in LEVELS
    ]


def _level_label(level: int | None) -> str:
    if level is None:
        return ""
    return _("Level %(number)d · %(name)s") % {"number": level, "name": forms.LEVEL_NAMES[level]}


_NORM_CODE = "NORM-CODE"
_SOME_ID = UUID(int=0)


class NormUrls:
    """The addresses the norm fragments post to, reversed once per request and filled in per
    norm and per evidence (a domain page would otherwise reverse a hundred times)."""

    def __init__(self, assessment):
        def pattern(name: str) -> str:
            return reverse(f"assessments:{name}", args=[assessment.public_id, _NORM_CODE])

        self.norm = {name: pattern(name) for name in ("norm_answer", "norm_review", "evidence_upload", "evidence_link")}
        self.download = reverse("assessments:evidence_download", args=[_SOME_ID])
        self.remove = reverse("assessments:evidence_remove", args=[_SOME_ID])

    def for_norm(self, code: str) -> dict[str, str]:
        quoted = quote(code, safe=RFC3986_SUBDELIMS + "~:@")
        return {name: url.replace(_NORM_CODE, quoted) for name, url in self.norm.items()}

    def for_evidence(self, evidence) -> dict[str, str]:
        return {
            "download": self.download.replace(str(_SOME_ID), str(evidence.public_id)),
            "remove": self.remove.replace(str(_SOME_ID), str(evidence.public_id)),
        }


def _norm_item(
    score,
    mode: WorkMode,
    urls: NormUrls,
    *,
    evidence: list | None = None,
    actions: Iterable = (),
    suggestions: Iterable = (),
    values: dict | None = None,
    errors: dict | None = None,
    general_errors: Iterable[str] = (),
    review_values: dict | None = None,
    review_errors: dict | None = None,
    evidence_errors: dict | None = None,
    message: str = "",
    suggested: dict | None = None,
) -> dict:
    """Everything the `_norm_form.html` fragment shows for one norm."""
    norm = score.norm
    prefix = forms.norm_prefix(norm.code)
    shown = {**{name: getattr(score, name) for name in NORM_FIELDS}, **(values or {})}
    review_shown = {
        **{name: getattr(score, name) for name in REVIEW_FIELDS},
        **(review_values or {}),
    }
    records = score.evidence.all() if evidence is None else evidence
    return {
        "score": score,
        "norm": norm,
        "prefix": prefix,
        "urls": urls.for_norm(norm.code),
        "values": shown,
        "levels": _level_rows(norm, shown["level"] if isinstance(shown["level"], int) else None, prefix, "level"),
        "current_level_label": _level_label(score.level),
        "current_level_text": norm.level_text(score.level) if score.level else "",
        "auditor_level_label": _level_label(score.auditor_level),
        "errors": errors or {},
        "general_errors": list(general_errors),
        "review_values": review_shown,
        "review_levels": (
            _level_rows(
                norm,
                review_shown["auditor_level"] if isinstance(review_shown["auditor_level"], int) else None,
                prefix,
                "auditor_level",
            )
            if mode.reviewing
            else []
        ),
        "review_errors": review_errors or {},
        "evidence": [{"record": record, **urls.for_evidence(record)} for record in records],
        "evidence_errors": evidence_errors or {},
        "actions": list(actions) if mode.member else [],
        "suggestions": list(suggestions) if mode.editable else [],
        "suggested": suggested,
        "message": message,
    }


def _domains(assessment) -> list[dict]:
    rows = []
    for row in selectors.progress_by_domain(assessment):
        total, answered = row["total"], row["answered"]
        rows.append(
            {
                "code": row["norm__domain__code"],
                "title": active_text(row["norm__domain__title_nl"], row["norm__domain__title_en"] or ""),
                "total": total,
                "answered": answered,
                "complete": total > 0 and answered == total,
            }
        )
    return rows


def _progress_context(assessment, domains: list[dict], current: str) -> dict:
    total = sum(d["total"] for d in domains)
    answered = sum(d["answered"] for d in domains)
    return {
        "assessment": assessment,
        "domains": domains,
        "current_domain": current,
        "total": total,
        "answered": answered,
        "percent": round(100 * answered / total) if total else 0,
        "missing": total - answered,
    }


def _render_work(request, assessment, domain_code: str, overrides: dict | None = None, status: int = 200):
    """The work page for one domain. `overrides` maps a norm code to keyword arguments of
    `_norm_item` (a form with errors, a suggestion filled in)."""
    mode = WorkMode(request.user, assessment)
    domains = _domains(assessment)
    codes = [d["code"] for d in domains]
    current = domain_code if domain_code in codes else (codes[0] if codes else "")
    scores = list(selectors.scores_of(assessment, current)) if current else []
    actions = selectors.open_actions_by_norm(assessment, [s.norm.code for s in scores]) if mode.member else {}
    suggestions = selectors.mapped_suggestions(assessment, scores) if mode.editable else {}
    overrides = overrides or {}
    urls = NormUrls(assessment)
    items = [
        _norm_item(
            score,
            mode,
            urls,
            evidence=list(score.evidence.all()),
            actions=actions.get(score.norm.code, ()),
            suggestions=suggestions.get(score.norm.code, ()),
            **overrides.get(score.norm.code, {}),
        )
        for score in scores
    ]
    index = codes.index(current) if current in codes else 0
    current_row = domains[index] if domains else None
    context = {
        **_progress_context(assessment, domains, current),
        "mode": mode,
        "items": items,
        "current": current_row,
        "previous_domain": domains[index - 1] if index > 0 else None,
        "next_domain": domains[index + 1] if index + 1 < len(domains) else None,
        "status_tone": STATUS_TONES.get(assessment.status, "neutral"),
        "reviewed": assessment.kind in REVIEWED_KINDS,
        "reviewer_form": (
            forms.AssignReviewerForm(candidates=services.reviewer_candidates(assessment)) if mode.can_assign else None
        ),
        "finalise_form": forms.FinaliseForm() if mode.can_finalise else None,
    }
    return render(request, "assessments/assessment_work.html", context, status=status)


def _render_norm(request, assessment, score, mode: WorkMode, *, with_progress: bool = False, **item_args):
    """The fragment of one norm, for htmx; with the progress panel swapped in out of band after
    an answer changed."""
    if mode.member and "actions" not in item_args:
        item_args["actions"] = selectors.open_actions_by_norm(assessment, [score.norm.code]).get(score.norm.code, ())
    if mode.editable and "suggestions" not in item_args:
        item_args["suggestions"] = selectors.mapped_suggestions(assessment, [score]).get(score.norm.code, ())
    item = _norm_item(score, mode, NormUrls(assessment), **item_args)
    html = render_to_string(
        "assessments/_norm_form.html",
        {"assessment": assessment, "mode": mode, "item": item},
        request=request,
    )
    if with_progress:
        domains = _domains(assessment)
        progress = {**_progress_context(assessment, domains, score.norm.domain.code), "oob": True}
        # No request: the panel has no form, so it needs none of the context processors' work.
        html += render_to_string("assessments/_progress.html", progress)
    return HttpResponse(html)


# --- organisation: its assessments and audit status


@access_rule(SIGNED_IN)
def index(request):
    """Where assessments start for this person: their organisations, their review assignments and,
    for sector coordinators, the overdue audits."""
    user = request.user
    context = {
        "organisations": list_organisations(user, Action.ASSESSMENT_VIEW),
        "review_count": selectors.list_reviews(user).filter(status=AssessmentStatus.UNDER_REVIEW).count(),
        "coordinates": visible_organisations(user, Action.SECTOR_COORDINATE).exists(),
    }
    return render(request, "assessments/index.html", context)


def _start_form(user, data=None):
    versions = (
        visible_versions(user)
        .filter(status=VersionStatus.PUBLISHED, scored=True)
        .select_related("framework")
        .order_by("framework__code", "-published_at", "-created_at")
    )
    return forms.StartAssessmentForm(data, versions=versions)


def _organisation_page(request, organisation, start_form=None, status: int = 200):
    allowed = selectors.allowed_actions(request.user, organisation.pk, [Action.ASSESSMENT_EDIT])
    can_edit = Action.ASSESSMENT_EDIT in allowed
    assessments = list(selectors.list_assessments(request.user, organisation))
    for assessment in assessments:
        assessment.status_tone = STATUS_TONES.get(assessment.status, "neutral")
    context = {
        "organisation": organisation,
        "assessments": assessments,
        "audit": selectors.audit_status(organisation),
        "can_edit": can_edit,
        "start_form": (start_form or _start_form(request.user)) if can_edit else None,
    }
    return render(request, "assessments/organisation_assessments.html", context, status=status)


@require_GET
@access_rule(Action.ASSESSMENT_VIEW)
def organisation_assessments(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.ASSESSMENT_VIEW)
    return _organisation_page(request, organisation)


@require_POST
@access_rule(Action.ASSESSMENT_EDIT)
def assessment_start(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.ASSESSMENT_VIEW)
    form = _start_form(request.user, request.POST)
    if form.is_valid():
        try:
            assessment = services.start_assessment(
                actor=request.user,
                organisation=organisation,
                framework_version=form.cleaned_data["framework_version"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                start_from_last=form.cleaned_data["start_from_last"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The assessment has been started."))
            return redirect(_work_url(assessment))
    return _organisation_page(request, organisation, start_form=form, status=400)


@require_GET
@access_rule(Action.SECTOR_COORDINATE)
def overdue_audits(request):
    """Per sector of the coordinator's constituency: how many organisations are overdue for their
    audit. Counts only, no names."""
    if not visible_organisations(request.user, Action.SECTOR_COORDINATE).exists():
        raise PermissionDenied
    rows = selectors.overdue_audit_counts(request.user)
    labels = dict(AssessmentKind.choices)
    for row in rows:
        row["kind_labels"] = [str(labels.get(kind, kind)) for kind in row["accepted_kinds"]]
    return render(request, "assessments/overdue_audits.html", {"rows": rows})


# --- the work page: one domain at a time


@require_GET
@access_rule(Action.ASSESSMENT_VIEW)
def assessment_detail(request, assessment_id):
    assessment = selectors.access_assessment(request.user, assessment_id)
    return _render_work(request, assessment, request.GET.get("domain", "")[:64])


def _score_values(form) -> dict:
    data = form.cleaned_data
    return {
        "level": data.get("level"),
        "not_applicable": bool(data.get("not_applicable")),
        "not_applicable_reason": data.get("not_applicable_reason", ""),
        "justification": data.get("justification", ""),
    }


def _posted_values(form, fields: Iterable[str]) -> dict:
    """What the person typed, shown again beside the errors (an unparseable level is shown as
    none chosen)."""
    values = {}
    for name in fields:
        raw = form.data.get(form.add_prefix(name), "")
        if name.endswith("level"):
            values[name] = int(raw) if raw.isdigit() and int(raw) in LEVELS else None
        elif name == "not_applicable":
            values[name] = raw in ("on", "true", "1")
        else:
            values[name] = raw
    return values


def _saved_message() -> str:
    return _("Saved at %(time)s.") % {"time": time_format(timezone.localtime(), "H:i")}


@require_http_methods(["GET", "POST"])
@access_rule(Action.ASSESSMENT_EDIT)
def norm_answer(request, assessment_id, norm_code):
    """One norm's answer. POST saves it (htmx gets the norm's fragment back, a plain form post is
    redirected to the page); GET shows the norm, optionally with a suggested level filled in."""
    assessment = selectors.access_assessment(request.user, assessment_id)
    score = selectors.score_in(assessment, norm_code)
    prefix = forms.norm_prefix(score.norm.code)
    domain = score.norm.domain.code
    if request.method == "GET":
        mode = WorkMode(request.user, assessment)
        overrides = {}
        suggested = request.GET.get("suggested_level", "")
        if mode.editable and suggested.isdigit() and int(suggested) in LEVELS:
            overrides = {
                "values": {"level": int(suggested), "not_applicable": False},
                "suggested": {"level": int(suggested)},
            }
        if request.htmx:
            return _render_norm(request, assessment, score, mode, **overrides)
        return _render_work(request, assessment, domain, {score.norm.code: overrides})

    form = forms.ScoreForm(request.POST, prefix=prefix)
    errors, general = {}, []
    if form.is_valid():
        try:
            services.save_score(actor=request.user, score=score, **_score_values(form))
        except ValidationError as exc:
            errors, general = _errors_of(exc)
    else:
        errors, general = _form_errors(form)
    if not errors and not general:
        if request.htmx:
            # The service accepted the answer, so the person may edit and the assessment is a
            # draft; only whether they also read the improvement plan is left to ask.
            allowed = {Action.ASSESSMENT_EDIT}
            if can(request.user, Action.ASSESSMENT_VIEW, assessment.organisation_id):
                allowed.add(Action.ASSESSMENT_VIEW)
            mode = WorkMode(request.user, assessment, allowed)
            return _render_norm(request, assessment, score, mode, with_progress=True, message=_saved_message())
        messages.success(request, _("%(code)s has been saved.") % {"code": score.norm.code})
        return redirect(_work_url(assessment, domain, prefix))
    failed = {
        "values": _posted_values(form, NORM_FIELDS),
        "errors": errors,
        "general_errors": general,
    }
    if request.htmx:
        # htmx only swaps successful responses in; the errors are in the fragment itself.
        return _render_norm(request, assessment, score, WorkMode(request.user, assessment), **failed)
    return _render_work(request, assessment, domain, {score.norm.code: failed}, status=400)


@require_POST
@access_rule(Action.ASSESSMENT_REVIEW)
def norm_review(request, assessment_id, norm_code):
    """The assigned reviewer's own level and note for one norm."""
    assessment = selectors.access_assessment(request.user, assessment_id, Action.ASSESSMENT_REVIEW)
    score = selectors.score_in(assessment, norm_code)
    mode = WorkMode(request.user, assessment)
    prefix = forms.norm_prefix(score.norm.code)
    form = forms.ReviewForm(request.POST, prefix=prefix)
    errors, general = {}, []
    if form.is_valid():
        try:
            services.record_review(
                actor=request.user,
                score=score,
                auditor_level=form.cleaned_data["auditor_level"],
                auditor_note=form.cleaned_data["auditor_note"],
            )
        except ValidationError as exc:
            errors, general = _errors_of(exc)
    else:
        errors, general = _form_errors(form)
    domain = score.norm.domain.code
    if not errors and not general:
        if request.htmx:
            return _render_norm(request, assessment, score, mode, message=_saved_message())
        messages.success(request, _("Your review of %(code)s has been saved.") % {"code": score.norm.code})
        return redirect(_work_url(assessment, domain, prefix))
    failed = {
        "review_values": _posted_values(form, REVIEW_FIELDS),
        "review_errors": errors,
        "general_errors": general,
    }
    if request.htmx:
        return _render_norm(request, assessment, score, mode, **failed)
    return _render_work(request, assessment, domain, {score.norm.code: failed}, status=400)


def _evidence_done(request, assessment, score, message: str, failed: dict | None = None):
    mode = WorkMode(request.user, assessment)
    domain = score.norm.domain.code
    if request.htmx:
        if failed:
            return _render_norm(request, assessment, score, mode, **failed)
        return _render_norm(request, assessment, score, mode, message=message)
    if failed:
        return _render_work(request, assessment, domain, {score.norm.code: failed}, status=400)
    messages.success(request, message)
    return redirect(_work_url(assessment, domain, forms.norm_prefix(score.norm.code)))


@require_POST
@access_rule(Action.ASSESSMENT_EDIT)
def evidence_upload(request, assessment_id, norm_code):
    assessment = selectors.access_assessment(request.user, assessment_id)
    score = selectors.score_in(assessment, norm_code)
    form = forms.EvidenceFileForm(request.POST, request.FILES, prefix=forms.norm_prefix(score.norm.code))
    errors, general = {}, []
    if form.is_valid():
        try:
            evidence = services.add_evidence_file(actor=request.user, score=score, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            errors, general = _errors_of(exc)
    else:
        errors, general = _form_errors(form)
    if errors or general:
        return _evidence_done(request, assessment, score, "", {"evidence_errors": errors, "general_errors": general})
    return _evidence_done(request, assessment, score, _("%(name)s has been added.") % {"name": evidence.name})


@require_POST
@access_rule(Action.ASSESSMENT_EDIT)
def evidence_link(request, assessment_id, norm_code):
    assessment = selectors.access_assessment(request.user, assessment_id)
    score = selectors.score_in(assessment, norm_code)
    form = forms.EvidenceLinkForm(request.POST, prefix=forms.norm_prefix(score.norm.code))
    errors, general = {}, []
    if form.is_valid():
        try:
            evidence = services.add_evidence_link(
                actor=request.user,
                score=score,
                url=form.cleaned_data["url"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            errors, general = _errors_of(exc)
    else:
        errors, general = _form_errors(form)
    if errors or general:
        failed = {"evidence_errors": errors, "general_errors": general}
        return _evidence_done(request, assessment, score, "", failed)
    return _evidence_done(request, assessment, score, _("%(name)s has been added.") % {"name": evidence.name})


@require_POST
@access_rule(Action.ASSESSMENT_EDIT)
def evidence_remove(request, evidence_id):
    evidence = selectors.access_evidence(request.user, evidence_id)
    score = evidence.score
    assessment = selectors.access_assessment(request.user, score.assessment.public_id)
    score = selectors.score_in(assessment, score.norm.code)
    name = evidence.name
    try:
        services.remove_evidence(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        fields, general = _errors_of(exc)
        problems = general + [message for messages_ in fields.values() for message in messages_]
        return _evidence_done(request, assessment, score, "", {"general_errors": problems})
    return _evidence_done(request, assessment, score, _("%(name)s has been removed.") % {"name": name})


@require_GET
@access_rule(Action.ASSESSMENT_VIEW)
def evidence_download(request, evidence_id):
    """A stored evidence document, for the organisation's members and the assigned reviewer. It
    is always a download, never shown inline, so a document cannot act as a page of this site."""
    evidence = selectors.access_evidence(request.user, evidence_id)
    if not evidence.file:
        # A link is shown as a link on the page; this server never fetches it.
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- workflow: submit, reopen, assign a reviewer, finalise


def _workflow_refused(request, exc: ValidationError) -> None:
    fields, general = _errors_of(exc)
    for message in general + [m for ms in fields.values() for m in ms]:
        messages.error(request, message)


@require_POST
@access_rule(Action.ASSESSMENT_SUBMIT)
def assessment_submit(request, assessment_id):
    assessment = selectors.access_assessment(request.user, assessment_id)
    try:
        services.submit_assessment(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        _workflow_refused(request, exc)
    else:
        messages.success(request, _("The assessment has been submitted. It can no longer be changed."))
    return redirect(_work_url(assessment))


@require_POST
@access_rule(Action.ASSESSMENT_SUBMIT)
def assessment_reopen(request, assessment_id):
    assessment = selectors.access_assessment(request.user, assessment_id)
    try:
        services.reopen_assessment(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        _workflow_refused(request, exc)
    else:
        messages.success(request, _("The assessment is a draft again and can be changed."))
    return redirect(_work_url(assessment))


@require_POST
@access_rule(Action.ASSESSMENT_SUBMIT)
def assessment_assign_reviewer(request, assessment_id):
    assessment = selectors.access_assessment(request.user, assessment_id)
    form = forms.AssignReviewerForm(request.POST, candidates=services.reviewer_candidates(assessment))
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer from the list."))
        return redirect(_work_url(assessment))
    try:
        services.assign_reviewer(actor=request.user, assessment=assessment, reviewer=form.cleaned_data["reviewer"])
    except ValidationError as exc:
        _workflow_refused(request, exc)
    else:
        messages.success(request, _("The reviewer has been assigned. The assessment is now under review."))
    return redirect(_work_url(assessment))


@require_POST
@access_rule(Action.ASSESSMENT_APPROVE)
def assessment_finalise(request, assessment_id):
    """Make the assessment final. A board member does this for a self-assessment; for an audit or
    peer review the assigned reviewer does (the service decides which applies)."""
    assessment = selectors.access_assessment(request.user, assessment_id)
    form = forms.FinaliseForm(request.POST)
    summary = form.cleaned_data["review_summary"] if form.is_valid() else ""
    try:
        services.finalise_assessment(actor=request.user, assessment=assessment, review_summary=summary)
    except ValidationError as exc:
        _workflow_refused(request, exc)
        return redirect(_work_url(assessment))
    messages.success(request, _("The assessment is final and locked."))
    return redirect("assessments:assessment_results", assessment_id=assessment.public_id)


# --- reviewer


@require_GET
@access_rule(SIGNED_IN)
def review_list(request):
    """The assessments assigned to this person to review (and no one else's)."""
    reviews = list(selectors.list_reviews(request.user))
    for assessment in reviews:
        assessment.status_tone = STATUS_TONES.get(assessment.status, "neutral")
    return render(request, "assessments/review_list.html", {"reviews": reviews})


# --- results


def _change_text(change: int | None) -> tuple[str, str]:
    if change is None:
        return "none", charts.NO_SCORE
    if change > 0:
        return "up", _("up %(n)d") % {"n": change}
    if change < 0:
        return "down", _("down %(n)d") % {"n": -change}
    return "same", _("unchanged")


@require_GET
@access_rule(Action.ASSESSMENT_VIEW)
def assessment_results(request, assessment_id):
    assessment = selectors.access_assessment(request.user, assessment_id)
    mode = WorkMode(request.user, assessment)
    result = selectors.score_of(assessment)
    domains = {d["code"]: d for d in _domains(assessment)}
    scores = {score.norm.code: score for score in selectors.scores_of(assessment)}
    rows = []
    for domain in result.domains:
        title = domains.get(domain.domain_code, {}).get("title", "")
        rows.append(
            {
                "code": domain.domain_code,
                "title": title,
                "score": charts.one_decimal(domain.score),
                "target": domain.target,
                "meets_target": domain.meets_target,
                "gaps": len(domain.gaps),
            }
        )
    chart = charts.domain_chart(
        [
            charts.Bar(
                f"{d.domain_code} {domains.get(d.domain_code, {}).get('title', '')}",
                d.score,
                d.target,
            )
            for d in result.domains
        ],
        chart_id="results-chart",
        title=_("Maturity per domain against target"),
    )
    targets = {d.domain_code: d.target for d in result.domains}
    gaps = []
    for code in result.gaps:
        score = scores.get(code)
        if score is None:
            continue
        gaps.append(
            {
                "code": code,
                "title": score.norm.title,
                "level": score.auditor_level if score.auditor_level is not None else score.level,
                "target": targets.get(score.norm.domain.code),
            }
        )
    previous = selectors.previous_final(assessment) if mode.member else None
    changes = []
    if previous is not None:
        for change in selectors.norm_changes(assessment, previous):
            direction, text = _change_text(change["change"])
            score = scores.get(change["norm_code"])
            changes.append(
                {
                    **change,
                    "title": score.norm.title if score else "",
                    "direction": direction,
                    "text": text,
                }
            )
    context = {
        "assessment": assessment,
        "mode": mode,
        "result": result,
        "overall": charts.one_decimal(result.overall),
        "rows": rows,
        "chart": chart,
        "gaps": gaps,
        "previous": previous,
        "changes": changes,
        "improved": sum(1 for c in changes if c["direction"] == "up"),
        "declined": sum(1 for c in changes if c["direction"] == "down"),
        "status_tone": STATUS_TONES.get(assessment.status, "neutral"),
    }
    return render(request, "assessments/assessment_results.html", context)


# --- improvement plan and risk profile


def _owners(user, organisation):
    members = list_members(user, organisation, include_inactive=False).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("full_name", "email")


def _plan_page(request, organisation, new_form=None, status: int = 200):
    show = "all" if request.GET.get("show") == "all" else "open"
    allowed = selectors.allowed_actions(request.user, organisation.pk, [Action.ASSESSMENT_EDIT])
    can_edit = Action.ASSESSMENT_EDIT in allowed
    actions = list(selectors.list_improvement_actions(request.user, organisation, only_open=show == "open"))
    today = timezone.localdate()
    for action in actions:
        action.is_open = action.status in OPEN_ACTION_STATUSES
        action.is_late = action.is_open and action.due_date is not None and action.due_date < today
    context = {
        "organisation": organisation,
        "actions": actions,
        "show": show,
        "can_edit": can_edit,
        "new_form": (new_form or forms.NewActionForm(owners=_owners(request.user, organisation))) if can_edit else None,
    }
    return render(request, "assessments/improvement_plan.html", context, status=status)


@require_http_methods(["GET", "POST"])
@access_rule(Action.ASSESSMENT_VIEW)
def improvement_plan(request, organisation_id):
    """The organisation's one list of improvement actions; POST adds one."""
    organisation = access_organisation(request.user, organisation_id, Action.ASSESSMENT_VIEW)
    if request.method == "GET":
        return _plan_page(request, organisation)
    form = forms.NewActionForm(request.POST, owners=_owners(request.user, organisation))

    def add(data):
        services.create_improvement_action(
            actor=request.user,
            organisation=organisation,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
            source=ActionSource.OTHER,
        )

    if submit_form(request, form, add, _("The action has been added to the improvement plan.")):
        return redirect("assessments:improvement_plan", organisation_id=organisation.public_id)
    return _plan_page(request, organisation, new_form=form, status=400)


@require_http_methods(["GET", "POST"])
@access_rule(Action.ASSESSMENT_EDIT)
def improvement_action_edit(request, action_id):
    action = selectors.access_improvement_action(request.user, action_id)
    organisation = action.organisation
    # Readers of the plan find the action but get no form they could not use.
    if Action.ASSESSMENT_EDIT not in selectors.allowed_actions(request.user, organisation.pk, [Action.ASSESSMENT_EDIT]):
        raise PermissionDenied
    owners = _owners(request.user, organisation)
    initial = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
        "status": action.status,
    }
    form = forms.ActionForm(request.POST or None, initial=initial, owners=owners)

    def save(data):
        fresh = selectors.access_improvement_action(request.user, action_id)
        services.update_improvement_action(actor=request.user, action=fresh, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The action has been saved.")):
        return redirect("assessments:improvement_plan", organisation_id=organisation.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/improvement_action_form.html",
        {"action": action, "form": form},
        status=status,
    )


def _scored_frameworks(user) -> list:
    """The newest published, scored version of each framework, for the risk-profile form."""
    latest = {}
    versions = (
        visible_versions(user)
        .filter(status=VersionStatus.PUBLISHED, scored=True)
        .select_related("framework")
        .order_by("framework__code", "-published_at", "-created_at")
    )
    for version in versions:
        latest.setdefault(version.framework.code, version)
    return list(latest.values())


@require_http_methods(["GET", "POST"])
@access_rule(Action.ASSESSMENT_VIEW)
def domain_targets(request, organisation_id):
    """The organisation's risk profile: its own target level per domain of a framework, used by
    assessments started afterwards."""
    organisation = access_organisation(request.user, organisation_id, Action.ASSESSMENT_VIEW)
    can_edit = Action.ASSESSMENT_EDIT in selectors.allowed_actions(
        request.user, organisation.pk, [Action.ASSESSMENT_EDIT]
    )
    versions = _scored_frameworks(request.user)
    chosen_code = (request.POST.get("framework") or request.GET.get("framework") or "")[:32]
    version = next((v for v in versions if v.framework.code == chosen_code), versions[0] if versions else None)
    domains = list(version.domains.order_by("position")) if version else []
    current = selectors.domain_targets_of(request.user, organisation, version.framework) if version else {}
    initial = {f"target_{forms.norm_prefix(code)}": t.target_level for code, t in current.items()}
    reasons = {t.reason for t in current.values() if t.reason}
    initial["reason"] = next(iter(reasons)) if len(reasons) == 1 else ""
    form = forms.DomainTargetsForm(request.POST or None, initial=initial, domains=domains)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied

        # One form, one change: a refusal for any domain keeps every target as it was.
        @transaction.atomic
        def save(data):
            for code, name in form.domain_fields:
                wanted = data[name]
                existing = current.get(code)
                old = existing.target_level if existing else None
                reason = data["reason"]
                if wanted != old or (wanted is not None and existing and existing.reason != reason):
                    services.set_domain_target(
                        actor=request.user,
                        organisation=organisation,
                        framework=version.framework,
                        domain_code=code,
                        target_level=wanted,
                        reason=reason,
                    )

        message = _("The targets have been saved. They apply to assessments started from now on.")
        if version is not None and submit_form(request, form, save, message):
            url = reverse("assessments:domain_targets", args=[organisation.public_id])
            return redirect(f"{url}?{urlencode({'framework': version.framework.code})}")
        status = 400
    context = {
        "organisation": organisation,
        "versions": versions,
        "version": version,
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "assessments/domain_targets.html", context, status=status)


# --- import and export
# This section keeps its own imports (under names of its own) so that it can change apart from
# the workflow pages above.
from django.conf import settings as platform_settings  # noqa: E402
from django.contrib import messages as flash  # noqa: E402
from django.core.exceptions import ValidationError as ServiceRefusal  # noqa: E402
from django.http import HttpResponse as DownloadResponse  # noqa: E402
from django.shortcuts import redirect as redirect_to  # noqa: E402
from django.shortcuts import render as render_page  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from django.views.decorators.http import require_GET as only_get  # noqa: E402
from django.views.decorators.http import require_http_methods as only_methods  # noqa: E402

from weerbaar.assessments import exports  # noqa: E402
from weerbaar.assessments import selectors as assessment_selectors  # noqa: E402
from weerbaar.assessments import services as assessment_services  # noqa: E402
from weerbaar.assessments.choices import AssessmentStatus as ImportStatus  # noqa: E402
from weerbaar.assessments.spreadsheet import RowError, SpreadsheetError, read_scores  # noqa: E402
from weerbaar.core.access import access_rule as declare_access  # noqa: E402
from weerbaar.core.permissions import Action as Permission  # noqa: E402

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refusal_rows(exc: ServiceRefusal) -> list[RowError]:
    """The service's problems as table rows: per row and field where it names them."""
    if hasattr(exc, "error_dict"):
        return [RowError(None, field, message) for field, messages in exc.message_dict.items() for message in messages]
    rows = []
    for error in exc.error_list:
        params = error.params or {}
        message = error.message % params if params else error.message
        rows.append(RowError(params.get("row"), str(params.get("column", "")), str(message)))
    return rows


@only_methods(["GET", "POST"])
@declare_access(Permission.ASSESSMENT_EDIT)
def assessment_import(request, assessment_id):
    """Fill a draft assessment from the organisation's own spreadsheet (XLSX or CSV). The whole
    file is checked first; every problem is listed with its row and column, and nothing is
    written unless the whole file is right."""
    assessment = assessment_selectors.access_assessment(request.user, assessment_id, Permission.ASSESSMENT_EDIT)
    limit = platform_settings.MAX_UPLOAD_BYTES
    locked = assessment.status != ImportStatus.DRAFT
    errors: list[RowError] = []
    file_error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if locked:
            file_error = gettext("This assessment is no longer a draft and cannot be changed.")
        elif upload is None:
            file_error = gettext("Choose a file to upload.")
        elif upload.size > limit:
            file_error = gettext("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}
        else:
            try:
                parsed = read_scores(
                    upload.name,
                    upload.read(),
                    norm_codes=assessment.scores.values_list("norm__code", flat=True),
                    max_bytes=limit,
                )
                counts = assessment_services.import_scores(actor=request.user, assessment=assessment, rows=parsed.rows)
            except SpreadsheetError as exc:
                errors = exc.errors
            except ServiceRefusal as exc:
                errors = _refusal_rows(exc)
            else:
                flash.success(
                    request,
                    gettext("%(rows)d norms read from the file; %(changed)d answers changed.") % counts,
                )
                if parsed.ignored_columns:
                    flash.info(
                        request,
                        gettext("These columns were not used: %(columns)s.")
                        % {"columns": ", ".join(parsed.ignored_columns[:20])},
                    )
                return redirect_to("assessments:assessment_import", assessment_id=assessment.public_id)
    return render_page(
        request,
        "assessments/assessment_import.html",
        {
            "assessment": assessment,
            "locked": locked,
            "errors": errors,
            "file_error": file_error,
            "max_mb": limit // (1024 * 1024),
        },
        status=400 if (errors or file_error) else 200,
    )


def _download(body: bytes, content_type: str, filename: str) -> DownloadResponse:
    response = DownloadResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Scores show where a school is weak: never kept in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@only_get
@declare_access(Permission.ASSESSMENT_VIEW)
def assessment_export_xlsx(request, assessment_id):
    """The assessment as a workbook: the answers (which can be imported again), the results per
    domain and the details. The assigned reviewer may export it too."""
    assessment = assessment_selectors.access_assessment(request.user, assessment_id, Permission.ASSESSMENT_VIEW)
    body = exports.workbook(exports.export_data(assessment))
    return _download(body, XLSX_TYPE, f"{exports.file_stem(assessment)}.xlsx")


@only_get
@declare_access(Permission.ASSESSMENT_VIEW)
def assessment_export_pdf(request, assessment_id):
    """The assessment as a printable report."""
    assessment = assessment_selectors.access_assessment(request.user, assessment_id, Permission.ASSESSMENT_VIEW)
    body = exports.pdf(exports.export_data(assessment))
    return _download(body, "application/pdf", f"{exports.file_stem(assessment)}.pdf")
