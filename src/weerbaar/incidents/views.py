"""Pages of the incident desk: reporting, an incident with its clocks and handling, the documents
and exports, lessons learned and the sector statistics. Every read goes through the selectors,
every change through the services."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import apply_validation_error, submit_form
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import can, visible_organisations
from weerbaar.incidents import documents, selectors, services, stix
from weerbaar.incidents.choices import (
    Category,
    ClockKind,
    DocumentKind,
    IncidentStatus,
    PersonalDataCategory,
    Severity,
    Side,
)
from weerbaar.incidents.clocks import ClockState
from weerbaar.incidents.forms import (
    AssignForm,
    AttachmentForm,
    DutyForm,
    EntryForm,
    IndicatorForm,
    IntermediateRequestForm,
    LessonForm,
    LinkForm,
    Nis2Form,
    ReportForm,
    StatusForm,
    TaskForm,
    TriageForm,
)
from weerbaar.incidents.pdf import render_pdf
from weerbaar.organisations.choices import SectorCode
from weerbaar.organisations.selectors import access_organisation

PAGE_SIZE = 25


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


# --- overview ------------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def index(request):
    """The incident desk for this person: their notices, the incidents they may see, and the way
    to report one; lessons and, for sector roles, the statistics."""
    user = request.user
    status = request.GET.get("status", "")
    if status and status != "open" and status not in IncidentStatus.values:
        status = ""
    search = request.GET.get("q", "").strip()[:100]
    incidents = selectors.list_incidents(user, status=status, search=search).prefetch_related("clock_records")
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for incident in page.object_list:
        records = {r.kind: r for r in incident.clock_records.all()}
        upcoming = [
            c
            for c in selectors.clocks_of(incident, records, now)
            if c.state(now) in (ClockState.OPEN, ClockState.OVERDUE)
        ]
        clock = upcoming[0] if upcoming else None
        rows.append(
            {
                "incident": incident,
                "next_clock": clock,
                "label": ClockKind(clock.kind).label if clock else "",
                "state": clock.state(now) if clock else "",
                "remaining": clock.remaining(now) if clock else None,
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "search": search,
        "now": now,
        "statuses": IncidentStatus.choices,
        "can_report": selectors.reporting_organisations(user).exists(),
        "can_statistics": visible_organisations(user, Action.AGGREGATE_VIEW).exists(),
        "notices": selectors.notices_for(user),
        "nis2_organisations": list(selectors.nis2_settable_organisations(user)),
    }
    template = "incidents/_incident_rows.html" if _fragment(request) else "incidents/index.html"
    return render(request, template, context)


# --- reporting -----------------------------------------------------------------------------------


def _report_form(request, *, incident=None, data=None, files=None):
    organisations = list(selectors.reporting_organisations(request.user))
    fixed = incident.organisation if incident is not None else None
    if fixed is not None and fixed not in organisations:
        organisations.append(fixed)
    # The person's own organisation comes first, ahead of a board's schools.
    own = set(request.user.memberships.filter(is_active=True).values_list("organisation_id", flat=True))
    organisations.sort(key=lambda o: (o.pk not in own, o.name))
    anchor = fixed or (organisations[0] if organisations else None)
    people = selectors.people_who_may_be_named(incident or anchor) if anchor else selectors.cert_analysts(None)
    initial = None
    if incident is not None:
        initial = {field: getattr(incident, field) for field in services.FACT_FIELDS}
        initial["organisation"] = str(incident.organisation.public_id)
        initial["named_people"] = list(incident.named_people.all())
    return ReportForm(
        data,
        files,
        organisations=organisations,
        people=people,
        fixed_organisation=fixed,
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@access_rule(Action.INCIDENT_REPORT)
def report_new(request):
    if not selectors.reporting_organisations(request.user).exists():
        raise Http404
    form = _report_form(request, data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            organisation = selectors.access_reporting_organisation(request.user, form.cleaned_data["organisation"])
            incident = services.create_report(
                actor=request.user,
                organisation=organisation,
                submit=submit,
                named_people=form.cleaned_data["named_people"],
                attachments=form.cleaned_data["attachments"],
                **form.facts(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if submit:
                messages.success(
                    request,
                    _("Your report has been sent to the CERT. The deadlines are shown below."),
                )
            else:
                messages.success(request, _("Your draft has been saved. You can finish it later."))
            return redirect("incidents:detail", incident_id=incident.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/report_form.html", {"form": form, "incident": None}, status=status)


@require_http_methods(["GET", "POST"])
@access_rule(Action.INCIDENT_REPORT)
def report_edit(request, incident_id):
    incident = selectors.access_incident(request.user, incident_id, Action.INCIDENT_REPORT)
    if incident.status == IncidentStatus.CLOSED:
        raise Http404
    form = _report_form(request, incident=incident, data=request.POST or None, files=request.FILES or None)
    submit = request.POST.get("action") == "submit" and incident.is_draft

    def save(data):
        services.update_report(
            actor=request.user,
            incident=incident,
            named_people=data["named_people"],
            attachments=data["attachments"],
            **form.facts(),
        )
        if submit:
            services.submit_report(actor=request.user, incident=incident)

    message = _("Your report has been sent to the CERT.") if submit else _("Saved.")
    if request.method == "POST" and submit_form(request, form, save, message):
        return redirect("incidents:detail", incident_id=incident.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/report_form.html", {"form": form, "incident": incident}, status=status)


@require_POST
@access_rule(Action.INCIDENT_REPORT)
def report_submit(request, incident_id):
    incident = selectors.access_incident(request.user, incident_id, Action.INCIDENT_REPORT)
    try:
        services.submit_report(actor=request.user, incident=incident)
    except ValidationError as exc:
        messages.error(
            request,
            _("The report is not complete yet: %(problems)s") % {"problems": " ".join(exc.messages)},
        )
        return redirect("incidents:edit", incident_id=incident.public_id)
    messages.success(request, _("Your report has been sent to the CERT."))
    return redirect("incidents:detail", incident_id=incident.public_id)


# --- one incident --------------------------------------------------------------------------------


def _detail_context(request, incident, **forms) -> dict:
    user = request.user
    now = timezone.now()
    cert_side = selectors.on_cert_side(user, incident)
    institution_side = selectors.on_institution_side(user, incident)
    records = selectors.clock_records_of(user, incident)
    clocks = selectors.clocks_of(incident, records, now)
    people = selectors.people_who_may_be_named(incident)
    writer = cert_side or institution_side
    duty_kinds = [
        (c.kind, ClockKind(c.kind).label) for c in clocks if c.kind != ClockKind.CERT_RESPONSE and c.kind not in records
    ]
    context = {
        "incident": incident,
        "now": now,
        "cert_side": cert_side,
        "institution_side": institution_side,
        "clocks": [
            {
                "clock": c,
                "state": c.state(now),
                "remaining": c.remaining(now),
                "record": records.get(c.kind),
            }
            for c in clocks
        ],
        "timeline": selectors.timeline_of(user, incident),
        "indicators": selectors.indicators_of(user, incident),
        "attachments": selectors.attachments_of(user, incident),
        "tasks": selectors.tasks_of(user, incident),
        "links": selectors.links_of(user, incident) if cert_side else [],
        "lesson": selectors.lesson_of(user, incident),
        "documents": _document_kinds(incident, clocks),
        "named_people": incident.named_people.all() if incident.tlp == "red" else [],
        "can_edit": institution_side and incident.status != IncidentStatus.CLOSED,
        "personal_data_labels": documents.labels(incident.personal_data_categories, PersonalDataCategory),
    }
    if writer and not incident.is_draft:
        context["entry_form"] = forms.get("entry_form") or EntryForm(people=people, cert_side=cert_side)
        context["indicator_form"] = forms.get("indicator_form") or IndicatorForm(people=people)
        if incident.status != IncidentStatus.CLOSED:
            context["attachment_form"] = forms.get("attachment_form") or AttachmentForm()
        if duty_kinds:
            context["duty_form"] = forms.get("duty_form") or DutyForm(kinds=duty_kinds)
    if cert_side:
        analysts = selectors.cert_analysts(incident.cert)
        context.update(
            {
                "triage_form": forms.get("triage_form")
                or TriageForm(initial={"severity": incident.severity, "category": incident.category}),
                "assign_form": forms.get("assign_form")
                or AssignForm(analysts=analysts, initial={"analyst": incident.assigned_to_id}),
                "status_form": forms.get("status_form") or StatusForm(current=incident.status),
                "task_form": forms.get("task_form") or TaskForm(people=people),
                "link_form": forms.get("link_form") or LinkForm(candidates=_link_candidates(request, incident)),
                "request_form": forms.get("request_form") or IntermediateRequestForm(),
            }
        )
    return context


def _link_candidates(request, incident):
    return list(selectors.list_incidents(request.user, action=Action.INCIDENT_HANDLE).exclude(pk=incident.pk)[:200])


def _document_kinds(incident, clocks) -> list[tuple[str, str]]:
    if incident.is_draft:
        return []
    kinds = {c.kind for c in clocks}
    shown = []
    if incident.nis2_applies:
        shown += [DocumentKind.EARLY_WARNING, DocumentKind.NOTIFICATION]
        if incident.intermediate_requested_at:
            shown.append(DocumentKind.INTERMEDIATE)
        if ClockKind.NIS2_PROGRESS in kinds or incident.ongoing:
            shown.append(DocumentKind.PROGRESS)
        shown.append(DocumentKind.FINAL)
    elif incident.intermediate_requested_at:
        shown.append(DocumentKind.INTERMEDIATE)
    if incident.personal_data_involved:
        shown.append(DocumentKind.AP_BREACH)
    return [(kind.value, kind.label) for kind in shown]


def _render_detail(request, incident, status=200, **forms):
    return render(request, "incidents/detail.html", _detail_context(request, incident, **forms), status=status)


@access_rule(Action.INCIDENT_VIEW)
def incident_detail(request, incident_id):
    incident = selectors.access_incident(request.user, incident_id)
    return _render_detail(request, incident)


def _back(incident):
    return redirect("incidents:detail", incident_id=incident.public_id)


def _writer(request, incident_id):
    """The incident, for someone who writes on it for either side; 404 for everyone else."""
    incident = selectors.access_incident(request.user, incident_id)
    if not (selectors.on_cert_side(request.user, incident) or selectors.on_institution_side(request.user, incident)):
        raise Http404
    return incident


def _handler(request, incident_id):
    incident = selectors.access_incident(request.user, incident_id, Action.INCIDENT_HANDLE)
    if not selectors.on_cert_side(request.user, incident):
        raise Http404
    return incident


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def entry_add(request, incident_id):
    incident = _writer(request, incident_id)
    cert_side = selectors.on_cert_side(request.user, incident)
    form = EntryForm(request.POST, people=selectors.people_who_may_be_named(incident), cert_side=cert_side)

    def add(data):
        services.add_entry(
            actor=request.user,
            incident=incident,
            body=data["body"],
            tlp=data["tlp"],
            internal=data.get("internal", False),
            named_people=data["named_people"],
        )

    if submit_form(request, form, add, _("The note has been added.")):
        return _back(incident)
    return _render_detail(request, incident, 400, entry_form=form)


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def indicator_add(request, incident_id):
    incident = _writer(request, incident_id)
    form = IndicatorForm(request.POST, people=selectors.people_who_may_be_named(incident))

    def add(data):
        services.add_indicator(actor=request.user, incident=incident, **data)

    if submit_form(request, form, add, _("The indicator has been added.")):
        return _back(incident)
    return _render_detail(request, incident, 400, indicator_form=form)


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def attachment_add(request, incident_id):
    incident = _writer(request, incident_id)
    form = AttachmentForm(request.POST, request.FILES)

    def add(data):
        services.add_attachments(actor=request.user, incident=incident, attachments=data["attachments"])

    if submit_form(request, form, add, _("The files have been added.")):
        return _back(incident)
    return _render_detail(request, incident, 400, attachment_form=form)


@access_rule(Action.INCIDENT_VIEW)
def attachment_download(request, attachment_id):
    attachment = selectors.access_attachment(request.user, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    # An uploaded file is never rendered by the browser as a page of this site.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def duty_record(request, incident_id):
    incident = _writer(request, incident_id)
    records = selectors.clock_records_of(request.user, incident)
    kinds = [
        (c.kind, ClockKind(c.kind).label)
        for c in selectors.clocks_of(incident, records)
        if c.kind != ClockKind.CERT_RESPONSE and c.kind not in records
    ]
    form = DutyForm(request.POST, kinds=kinds)

    def record(data):
        services.record_duty_met(actor=request.user, incident=incident, **data)

    if submit_form(request, form, record, _("Recorded.")):
        return _back(incident)
    return _render_detail(request, incident, 400, duty_form=form)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def triage(request, incident_id):
    incident = _handler(request, incident_id)
    form = TriageForm(request.POST)

    def save(data):
        services.triage(actor=request.user, incident=incident, **data)

    if submit_form(request, form, save, _("Triage saved.")):
        return _back(incident)
    return _render_detail(request, incident, 400, triage_form=form)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def assign(request, incident_id):
    incident = _handler(request, incident_id)
    form = AssignForm(request.POST, analysts=selectors.cert_analysts(incident.cert))

    def save(data):
        services.assign(actor=request.user, incident=incident, analyst=data["analyst"])

    if submit_form(request, form, save, _("Assignment saved.")):
        return _back(incident)
    return _render_detail(request, incident, 400, assign_form=form)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def status_change(request, incident_id):
    incident = _handler(request, incident_id)
    form = StatusForm(request.POST, current=incident.status)

    def change(data):
        services.change_status(actor=request.user, incident=incident, **data)

    if submit_form(request, form, change, _("The status has been changed.")):
        return _back(incident)
    return _render_detail(request, incident, 400, status_form=form)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def task_add(request, incident_id):
    incident = _handler(request, incident_id)
    form = TaskForm(request.POST, people=selectors.people_who_may_be_named(incident))

    def add(data):
        services.add_task(actor=request.user, incident=incident, **data)

    if submit_form(request, form, add, _("The task has been added.")):
        return _back(incident)
    return _render_detail(request, incident, 400, task_form=form)


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def task_done(request, task_id):
    task = selectors.access_task(request.user, task_id, Action.INCIDENT_VIEW)
    try:
        services.complete_task(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The task is done."))
    return _back(task.incident)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def link_add(request, incident_id):
    incident = _handler(request, incident_id)
    form = LinkForm(request.POST, candidates=_link_candidates(request, incident))

    def link(data):
        related = selectors.access_incident(request.user, data["related"], Action.INCIDENT_HANDLE)
        services.link_incidents(actor=request.user, incident=incident, related=related, note=data["note"])

    if submit_form(request, form, link, _("The incidents are now linked.")):
        return _back(incident)
    return _render_detail(request, incident, 400, link_form=form)


@require_POST
@access_rule(Action.INCIDENT_HANDLE)
def intermediate_request(request, incident_id):
    incident = _handler(request, incident_id)
    form = IntermediateRequestForm(request.POST)

    def ask(data):
        services.request_intermediate_report(actor=request.user, incident=incident, message=data["message"])

    if submit_form(request, form, ask, _("The institution has been asked for an intermediate report.")):
        return _back(incident)
    return _render_detail(request, incident, 400, request_form=form)


# --- documents and exports -----------------------------------------------------------------------


def _document(request, incident_id, kind):
    incident = selectors.access_incident(request.user, incident_id)
    if kind not in DocumentKind.values or incident.is_draft:
        raise Http404
    records = selectors.clock_records_of(request.user, incident)
    return incident, documents.build(
        kind,
        incident,
        indicators=list(selectors.indicators_of(request.user, incident)),
        records=records,
        clocks=selectors.clocks_of(incident, records),
    )


@access_rule(Action.INCIDENT_VIEW)
def document(request, incident_id, kind):
    incident, doc = _document(request, incident_id, kind)
    return render(request, "incidents/document.html", {"incident": incident, "document": doc})


@access_rule(Action.INCIDENT_VIEW)
def document_pdf(request, incident_id, kind):
    incident, doc = _document(request, incident_id, kind)
    html = render_to_string(
        "incidents/document_pdf.html",
        {"incident": incident, "document": doc, "generated_at": timezone.now()},
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{incident.reference}.pdf"'
    return response


@access_rule(Action.INCIDENT_VIEW)
def stix_export(request, incident_id):
    incident = selectors.access_incident(request.user, incident_id)
    if incident.is_draft:
        raise Http404
    creator = incident.cert.name if incident.cert_id else "Weerbaar"
    body = stix.bundle(incident, list(selectors.indicators_of(request.user, incident)), creator_name=creator)
    response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/stix+json")
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.reference}.stix.json"'
    return response


# --- lessons learned -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access_rule(Action.INCIDENT_VIEW)
def lesson_edit(request, incident_id):
    incident = _writer(request, incident_id)
    if incident.status != IncidentStatus.CLOSED:
        raise Http404
    lesson = selectors.lesson_of(request.user, incident)
    initial = None
    if lesson is not None:
        initial = {
            f: getattr(lesson, f) for f in ("title", "summary", "what_worked", "to_improve", "recommendations", "tlp")
        }
    form = LessonForm(request.POST or None, initial=initial)

    def save(data):
        services.save_lesson(actor=request.user, incident=incident, **data)

    message = _("The lesson has been saved. Both sides now agree to it before it is published.")
    if request.method == "POST" and submit_form(request, form, save, message):
        return redirect("incidents:lesson_edit", incident_id=incident.public_id)
    side = Side.CERT if selectors.on_cert_side(request.user, incident) else Side.INSTITUTION
    context = {"incident": incident, "lesson": lesson, "form": form, "side": side}
    return render(
        request,
        "incidents/lesson_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@access_rule(Action.INCIDENT_VIEW)
def lesson_agree(request, incident_id):
    incident = _writer(request, incident_id)
    try:
        lesson = services.agree_lesson(actor=request.user, incident=incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if lesson.published_at:
            messages.success(request, _("Both sides agree: the lesson has been published."))
        else:
            messages.success(request, _("Your agreement has been recorded. The other side still has to agree."))
    return redirect("incidents:lesson_edit", incident_id=incident.public_id)


@access_rule(SIGNED_IN)
def lesson_list(request):
    search = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    sector = request.GET.get("sector", "")
    sector = sector if sector in SectorCode.values else ""
    lessons = selectors.list_lessons(request.user, search=search, category=category, sector=sector)
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "search": search,
        "category": category,
        "sector": sector,
        "categories": Category.choices,
        "sectors": SectorCode.choices,
    }
    template = "incidents/_lesson_rows.html" if _fragment(request) else "incidents/lesson_list.html"
    return render(request, template, context)


@access_rule(SIGNED_IN)
def lesson_detail(request, lesson_id):
    lesson = selectors.access_lesson(request.user, lesson_id)
    return render(request, "incidents/lesson_detail.html", {"lesson": lesson})


# --- statistics and settings ---------------------------------------------------------------------


@access_rule(Action.AGGREGATE_VIEW)
def statistics_view(request):
    if not visible_organisations(request.user, Action.AGGREGATE_VIEW).exists():
        raise Http404
    report = selectors.incident_statistics(request.user)
    names = {
        "sector": dict(SectorCode.choices),
        "category": dict(Category.choices),
        "severity": dict(Severity.choices),
    }
    tables = [
        (
            dimension,
            title,
            [
                {"cell": cell, "name": names.get(dimension, {}).get(cell.key, cell.key)}
                for cell in report.dimensions[dimension]
            ],
        )
        for dimension, title in (
            ("month", _("Per month")),
            ("sector", _("Per sector")),
            ("category", _("Per kind of incident")),
            ("severity", _("Per severity")),
        )
    ]
    return render(request, "incidents/statistics.html", {"report": report, "tables": tables})


@require_http_methods(["GET", "POST"])
@access_rule(Action.ORGANISATION_VIEW)
def nis2_setting(request, organisation_id):
    """Whether the NIS2 duties apply: changed by the organisation's managers or by its CERT."""
    organisation = access_organisation(request.user, organisation_id)
    if not (
        can(request.user, Action.ORGANISATION_CHANGE, organisation.pk)
        or can(request.user, Action.INCIDENT_HANDLE, organisation.pk)
    ):
        raise Http404
    current = selectors.nis2_applies_for(organisation)
    form = Nis2Form(request.POST or None, initial={"nis2_applies": "true" if current else "false"})

    def save(data):
        services.set_nis2_applicability(actor=request.user, organisation=organisation, applies=data["nis2_applies"])

    message = _("Saved. This applies to reports sent from now on.")
    if request.method == "POST" and submit_form(request, form, save, message):
        return redirect("incidents:nis2_setting", organisation_id=organisation.public_id)
    context = {
        "organisation": organisation,
        "form": form,
        "current": current,
        "explicit": selectors.nis2_setting(organisation) is not None,
    }
    return render(request, "incidents/nis2_setting.html", context, status=400 if form.errors else 200)
