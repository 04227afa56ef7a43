"""Pages of the sector monitor: a coordinator's cycles and participation, an organisation's own
monitor page (invitations, position, forecast, gaps, basic measures, SOC), the anonymised sector
dashboard and its reports and exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.assessments import selectors as assessment_selectors
from weerbaar.assessments.choices import AssessmentStatus
from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import apply_validation_error as _apply_errors
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import can, visible_organisations
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.selectors import visible_versions
from weerbaar.monitor import reports, selectors, services
from weerbaar.monitor.choices import ParticipationStep
from weerbaar.monitor.forms import MeasureStatusForm, OpenCycleForm, SocForm
from weerbaar.monitor.models import Ambition, BasicMeasure, CycleAggregate, Participation
from weerbaar.organisations.models import Organisation, Sector
from weerbaar.organisations.selectors import access_organisation

PAGE_SIZE = 50


def assessment_url(assessment) -> str | None:
    """The assessment's work page, where the assessments app offers one."""
    try:
        return reverse("assessments:assessment_detail", args=[assessment.public_id])
    except NoReverseMatch:
        return None


# --- overview ---------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def index(request):
    """Where the monitor starts for this person: their organisations' monitor pages, the sector
    dashboard and, for coordinators, the cycles."""
    user = request.user
    own = (
        Organisation.objects.visible_to(user, Action.POSTURE_VIEW)
        .filter(pk__in=user.memberships.filter(is_active=True).values("organisation_id"))
        .select_related("sector")
        .order_by("name")
    )
    context = {
        "organisations": own,
        "can_aggregate": visible_organisations(user, Action.AGGREGATE_VIEW).exists(),
        "can_coordinate": visible_organisations(user, Action.SECTOR_COORDINATE).exists(),
    }
    return render(request, "monitor/index.html", context)


# --- coordinator: cycles --------------------------------------------------------------------


@access_rule(Action.SECTOR_COORDINATE)
def cycle_list(request):
    coordinators = visible_organisations(request.user, Action.SECTOR_COORDINATE)
    if not coordinators.exists():
        raise Http404
    cycles = list(selectors.coordinated_cycles(request.user))
    for cycle in cycles:
        cycle.overview = selectors.participation_overview(cycle)
    return render(request, "monitor/cycle_list.html", {"cycles": cycles, "today": timezone.localdate()})


def _open_cycle_form(request, data=None):
    coordinators = visible_organisations(request.user, Action.SECTOR_COORDINATE).order_by("name")
    sectors = Sector.objects.filter(serving_organisations__in=coordinators.values("pk")).distinct().order_by("id")
    versions = (
        visible_versions(request.user)
        .filter(status=VersionStatus.PUBLISHED, scored=True)
        .select_related("framework")
        .order_by("framework__code", "-released", "-created_at")
    )
    return OpenCycleForm(data, coordinators=coordinators, sectors=sectors, versions=versions)


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def cycle_open(request):
    if not visible_organisations(request.user, Action.SECTOR_COORDINATE).exists():
        raise Http404
    form = _open_cycle_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.open_cycle(
                actor=request.user,
                coordinator=data["coordinator"],
                name=data["name"],
                kind=data["kind"],
                sectors=list(data["sectors"]),
                framework_version=data["framework_version"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The cycle has been opened and %(n)d organisations have been invited.")
                % {"n": cycle.participations.count()},
            )
            return redirect("monitor:cycle_detail", cycle_id=cycle.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "monitor/cycle_form.html", {"form": form}, status=status)


@access_rule(Action.SECTOR_COORDINATE)
def cycle_detail(request, cycle_id):
    """Who takes part and how far they are: names and steps, never scores."""
    cycle = selectors.access_cycle(request.user, cycle_id)
    step = request.GET.get("step", "")
    rows = []
    for participation in selectors.participations_of(request.user, cycle):
        current = selectors.participation_step(participation)
        if step and current != step:
            continue
        rows.append({"organisation": participation.organisation, "step": current})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(ParticipationStep.choices)
    for row in page:
        row["step_label"] = labels[row["step"]]
    overview = selectors.participation_overview(cycle)
    context = {
        "cycle": cycle,
        "overview": [(value, labels[value], overview[value]) for value in ParticipationStep.values],
        "invited_total": sum(overview.values()),
        "page": page,
        "step": step if step in labels else "",
        "steps": ParticipationStep.choices,
        "is_open": cycle.opens_on <= timezone.localdate() <= cycle.closes_on,
        "remind_days": services.REMIND_DAYS_BEFORE_CLOSE,
    }
    return render(request, "monitor/cycle_detail.html", context)


@require_POST
@access_rule(Action.SECTOR_COORDINATE)
def cycle_remind(request, cycle_id):
    cycle = selectors.access_cycle(request.user, cycle_id)
    services.request_reminders(actor=request.user, cycle=cycle)
    messages.success(
        request,
        _("Reminders are being sent to organisations that have not finished yet. Nobody gets the same reminder twice."),
    )
    return redirect("monitor:cycle_detail", cycle_id=cycle.public_id)


# --- the organisation's own monitor page ----------------------------------------------------


def _positions(user, organisation) -> list[dict]:
    """The organisation's own scores and percentile per cycle it has a result in."""
    result = []
    for participation in selectors.invitations_for(user, organisation):
        cycle = participation.cycle
        position = selectors.own_position(user, organisation, cycle)
        if position is None:
            continue
        domains = {d.code: d.title for d in cycle.framework_version.domains.all()}
        rows = [("overall", _("Overall"), position["overall"], position["percentiles"].get("overall"))]
        for code, value in position["domains"].items():
            rows.append(
                (
                    code,
                    f"{code} {domains.get(code, '')}".strip(),
                    value,
                    position["percentiles"].get(code),
                )
            )
        result.append({"cycle": cycle, "sector": reports.group_label(position["sector"]), "rows": rows})
    return result


def _gaps(user, organisation) -> dict | None:
    last = (
        assessment_selectors.list_assessments(user, organisation, status=AssessmentStatus.FINAL)
        .order_by("-finalised_at")
        .first()
    )
    if last is None:
        return None
    score = assessment_selectors.score_of(last)
    titles = {d.code: d.title for d in last.framework_version.domains.all()}
    rows = [
        {
            "code": d.domain_code,
            "title": titles.get(d.domain_code, ""),
            "score": d.score,
            "target": d.target,
            "meets": d.meets_target,
            "gaps": d.gaps,
        }
        for d in score.domains
    ]
    return {
        "assessment": last,
        "url": assessment_url(last),
        "overall": score.overall,
        "rows": rows,
        "gap_count": len(score.gaps),
    }


@access_rule(Action.POSTURE_VIEW)
def organisation_monitor(request, organisation_id):
    """The organisation's own monitor page. Sector roles never reach it: the organisation must be
    within the user's own institution reach."""
    organisation = access_organisation(request.user, organisation_id, Action.POSTURE_VIEW)
    user = request.user
    sees_scores = can(user, Action.ASSESSMENT_VIEW, organisation.pk)
    can_edit_posture = can(user, Action.POSTURE_EDIT, organisation.pk)
    can_take_part = can(user, Action.ASSESSMENT_EDIT, organisation.pk)
    today = timezone.localdate()
    context = {
        "organisation": organisation,
        "sees_scores": sees_scores,
        "can_edit_posture": can_edit_posture,
        "measures": [
            (measure, status, reports.active_text(measure.title_nl, measure.title_en))
            for measure, status in selectors.measures_of(user, organisation)
        ],
        "soc": selectors.soc_of(user, organisation),
    }
    if sees_scores:
        invitations = []
        labels = dict(ParticipationStep.choices)
        for participation in selectors.invitations_for(user, organisation):
            cycle = participation.cycle
            step = selectors.participation_step(participation)
            invitations.append(
                {
                    "cycle": cycle,
                    "step": step,
                    "step_label": labels[step],
                    "is_open": cycle.opens_on <= today <= cycle.closes_on,
                    "can_take_part": can_take_part
                    and cycle.opens_on <= today <= cycle.closes_on
                    and step == ParticipationStep.INVITED,
                    "assessment_url": assessment_url(participation.assessment) if participation.assessment else None,
                }
            )
        ambition = Ambition.objects.filter(sector_id=organisation.sector_id).first()
        forecast = selectors.forecast_for(organisation)
        context.update(
            {
                "invitations": invitations,
                "positions": _positions(user, organisation),
                "ambition": ambition,
                "forecast": forecast,
                "forecast_tone": reports.outlook_label(forecast.outlook)[0] if forecast else "",
                "forecast_label": reports.outlook_label(forecast.outlook)[1] if forecast else "",
                "forecast_sentence": reports.forecast_sentence(forecast, ambition) if forecast and ambition else "",
                "gaps": _gaps(user, organisation),
            }
        )
    return render(request, "monitor/organisation.html", context)


@require_POST
@access_rule(Action.ASSESSMENT_EDIT)
def take_part(request, organisation_id, cycle_id):
    organisation = access_organisation(request.user, organisation_id, Action.ASSESSMENT_EDIT)
    participation = (
        Participation.objects.visible_to(request.user, Action.ASSESSMENT_EDIT)
        .filter(organisation=organisation, cycle__public_id=cycle_id)
        .first()
    )
    if participation is None:
        raise Http404
    try:
        assessment = services.take_part(actor=request.user, participation=participation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitor:organisation", organisation_id=organisation.public_id)
    messages.success(request, _("Your organisation takes part. The assessment has been started."))
    url = assessment_url(assessment)
    return redirect(url) if url else redirect("monitor:organisation", organisation_id=organisation.public_id)


@require_http_methods(["GET", "POST"])
@access_rule(Action.POSTURE_EDIT)
def measure_edit(request, organisation_id, code):
    organisation = access_organisation(request.user, organisation_id, Action.POSTURE_EDIT)
    measure = BasicMeasure.objects.filter(code=code).first()
    if measure is None:
        raise Http404
    current = dict(selectors.measures_of(request.user, organisation)).get(measure)
    initial = {"state": current.state, "as_of": current.as_of, "evidence": current.evidence} if current else {}
    form = MeasureStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_measure_status(
                actor=request.user, organisation=organisation, measure=measure, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The status of the measure has been saved."))
            return redirect(reverse("monitor:organisation", args=[organisation.public_id]) + "#measures")
    context = {
        "organisation": organisation,
        "measure": measure,
        "title": reports.active_text(measure.title_nl, measure.title_en),
        "description": reports.active_text(measure.description_nl, measure.description_en),
        "form": form,
    }
    return render(
        request,
        "monitor/measure_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@access_rule(Action.POSTURE_EDIT)
def soc_edit(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.POSTURE_EDIT)
    current = selectors.soc_of(request.user, organisation)
    initial = (
        {
            "status": current.status,
            "provider": current.provider,
            "planned_on": current.planned_on,
            "connected_on": current.connected_on,
        }
        if current
        else {"status": "none"}
    )
    form = SocForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_soc_connection(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The SOC connection has been saved."))
            return redirect(reverse("monitor:organisation", args=[organisation.public_id]) + "#soc")
    return render(
        request,
        "monitor/soc_form.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- anonymised sector dashboard and reports ------------------------------------------------


def _chosen_cycle(request):
    cycles = list(selectors.aggregate_cycles(request.user))
    chosen = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.public_id) == chosen), None)
    if cycle is None and cycles:
        # The most recent cycle with a published cell, else the most recent one.
        published = set(
            CycleAggregate.objects.filter(cycle__in=cycles, suppressed=False).values_list("cycle_id", flat=True)
        )
        cycle = next((c for c in cycles if c.pk in published), cycles[0])
    return cycles, cycle


@access_rule(Action.AGGREGATE_VIEW)
def sector_dashboard(request):
    """Anonymised aggregates of one cycle: fixed groups only, suppressed cells marked as such."""
    if not visible_organisations(request.user, Action.AGGREGATE_VIEW).exists():
        raise Http404
    cycles, cycle = _chosen_cycle(request)
    picture = reports.sector_picture(request.user, cycle) if cycle else None
    return render(
        request,
        "monitor/sector_dashboard.html",
        {"cycles": cycles, "cycle": cycle, "picture": picture},
    )


# kind: (body template shared by page and PDF, file name)
REPORT_TEMPLATES = {
    "spring": ("monitor/_report_spring.html", "sector-picture"),
    "autumn": ("monitor/_report_autumn.html", "progress-report"),
}


@access_rule(Action.AGGREGATE_VIEW)
def report(request, cycle_id, kind: str, as_pdf: bool = False):
    cycle = selectors.access_aggregate_cycle(request.user, cycle_id)
    picture = reports.sector_picture(request.user, cycle)
    body, slug = REPORT_TEMPLATES[kind]
    context = {
        "cycle": cycle,
        "picture": picture,
        "kind": kind,
        "body_template": body,
        "generated_on": timezone.localdate(),
    }
    if not as_pdf:
        return render(request, "monitor/report.html", context)
    pdf = reports.render_pdf("monitor/report_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{cycle.opens_on:%Y}-{cycle.public_id}.pdf"'
    return response


@access_rule(Action.AGGREGATE_VIEW)
def export_xlsx(request, cycle_id):
    cycle = selectors.access_aggregate_cycle(request.user, cycle_id)
    picture = reports.sector_picture(request.user, cycle)
    response = HttpResponse(
        reports.workbook(picture),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="aggregates-{cycle.opens_on:%Y}-{cycle.public_id}.xlsx"'
    return response
