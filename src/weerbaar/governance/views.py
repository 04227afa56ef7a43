"""Pages of governance: an organisation's budgets and annual-report paragraphs, the paragraph's
workflow and exports, the supervisory-board view with its quarterly PDF, the anonymised sector
figures, and a coordinator's paragraph settings per sector."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.assessments.selectors import allowed_actions
from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import submit_form
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, visible_organisations
from weerbaar.governance import exports, selectors, services
from weerbaar.governance.choices import Element, ParagraphStatus
from weerbaar.governance.forms import BudgetForm, GenerateForm, ParagraphForm, ReturnForm, SectorSettingsForm
from weerbaar.monitor import reports as monitor_reports
from weerbaar.organisations.selectors import access_organisation
from weerbaar.reports.pdf import render_pdf

PAGE_SIZE = 25
BUDGET_FIELDS = (
    "total_budget",
    "ict_budget",
    "security_budget",
    "headcount_fte",
    "ibp_officer_fte",
    "dpo_fte",
    "security_engineer_fte",
    "external_fte",
    "external_services",
    "note",
)


def _may(user, organisation) -> frozenset:
    return allowed_actions(
        user, organisation.pk, [Action.GOVERNANCE_VIEW, Action.GOVERNANCE_EDIT, Action.GOVERNANCE_APPROVE]
    )


# --- overview -------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def index(request):
    user = request.user
    context = {
        "organisations": selectors.home_organisations(user),
        "can_aggregate": visible_organisations(user, Action.AGGREGATE_VIEW).exists(),
        "can_coordinate": selectors.coordinated_sectors(user).exists(),
    }
    return render(request, "governance/index.html", context)


@access_rule(Action.GOVERNANCE_VIEW)
def organisation_page(request, organisation_id):
    """An organisation's budgets per year and its paragraphs per year and version."""
    organisation = access_organisation(request.user, organisation_id, Action.GOVERNANCE_VIEW)
    may = _may(request.user, organisation)
    paragraphs = Paginator(selectors.paragraphs_of(request.user, organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    context = {
        "organisation": organisation,
        "budgets": selectors.budgets_of(request.user, organisation)[:10],
        "page": paragraphs,
        "can_edit": Action.GOVERNANCE_EDIT in may,
        "generate_form": GenerateForm(initial={"year": today.year - 1}),
        "due": selectors.due_date(organisation.sector, today.year - 1),
        "report_year": today.year - 1,
    }
    return render(request, "governance/organisation.html", context)


# --- budget ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access_rule(Action.GOVERNANCE_EDIT)
def budget_edit(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.GOVERNANCE_EDIT)
    initial = {"year": timezone.localdate().year}
    try:
        wanted = int(request.GET.get("year", ""))
    except ValueError:
        wanted = None
    if wanted:
        existing = selectors.budget_for(organisation, wanted)
        initial = {"year": wanted}
        if existing is not None:
            initial.update({name: getattr(existing, name) for name in BUDGET_FIELDS})
    form = BudgetForm(request.POST or None, initial=initial)

    def save(data):
        services.save_budget(actor=request.user, organisation=organisation, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The budget has been saved.")):
        return redirect("governance:organisation", organisation_id=organisation.public_id)
    return render(
        request,
        "governance/budget_form.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- paragraphs -----------------------------------------------------------------------------


@require_POST
@access_rule(Action.GOVERNANCE_EDIT)
def paragraph_generate(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.GOVERNANCE_EDIT)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the year of the annual report."))
        return redirect("governance:organisation", organisation_id=organisation.public_id)
    try:
        paragraph = services.generate_paragraph(
            actor=request.user, organisation=organisation, year=form.cleaned_data["year"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("governance:organisation", organisation_id=organisation.public_id)
    messages.success(request, _("The draft has been written from the platform's figures. Check and edit it."))
    return redirect("governance:paragraph", paragraph_id=paragraph.public_id)


def _facts_rows(paragraph) -> list[tuple[str, str]]:
    """The figures the draft was written from, as label and value, for the side panel."""
    facts = paragraph.facts or {}
    rows = []
    maturity = facts.get("maturity") or {}
    if maturity:
        rows.append((_("Mean maturity"), monitor_reports.number(maturity.get("overall"))))
        if maturity.get("change") is not None:
            rows.append((_("Change since the previous measurement"), monitor_reports.signed(maturity["change"])))
    incidents = facts.get("incidents") or {}
    if incidents:
        rows.append((_("Incidents reported in the year"), str(incidents.get("total", 0))))
    improvement = facts.get("improvement") or {}
    if improvement:
        rows.append((_("Open improvement actions"), str(improvement.get("open", 0))))
    budget = facts.get("budget") or {}
    if budget:
        rows.append((_("Security and privacy budget (euros)"), f"{budget['security_budget']:,.0f}"))
    return rows


@access_rule(Action.GOVERNANCE_VIEW)
def paragraph_detail(request, paragraph_id):
    paragraph = selectors.access_paragraph(request.user, paragraph_id)
    may = _may(request.user, paragraph.organisation)
    newest = selectors.current_paragraph(paragraph.organisation, paragraph.year)
    context = {
        "paragraph": paragraph,
        "organisation": paragraph.organisation,
        "sections_nl": exports.sections_of(paragraph.text_nl),
        "sections_en": exports.sections_of(paragraph.text_en),
        "versions": selectors.paragraphs_of(request.user, paragraph.organisation, paragraph.year),
        "is_newest": newest is not None and newest.pk == paragraph.pk,
        "can_edit": Action.GOVERNANCE_EDIT in may,
        "can_approve": Action.GOVERNANCE_APPROVE in may,
        "facts_rows": _facts_rows(paragraph),
        "element_labels": [Element(e).label for e in paragraph.elements if e in Element.values],
        "return_form": ReturnForm(),
    }
    return render(request, "governance/paragraph_detail.html", context)


@require_http_methods(["GET", "POST"])
@access_rule(Action.GOVERNANCE_EDIT)
def paragraph_edit(request, paragraph_id):
    paragraph = selectors.access_paragraph(request.user, paragraph_id, Action.GOVERNANCE_EDIT)
    form = ParagraphForm(request.POST or None, initial={"text_nl": paragraph.text_nl, "text_en": paragraph.text_en})
    locked = paragraph.status != ParagraphStatus.DRAFT

    def save(data):
        services.edit_paragraph(actor=request.user, paragraph=paragraph, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The paragraph has been saved.")):
        return redirect("governance:paragraph", paragraph_id=paragraph.public_id)
    return render(
        request,
        "governance/paragraph_form.html",
        {"paragraph": paragraph, "organisation": paragraph.organisation, "form": form, "locked": locked},
        status=400 if request.method == "POST" else 200,
    )


def _workflow(request, paragraph_id, action: Action, step, success: str):
    paragraph = selectors.access_paragraph(request.user, paragraph_id, action)
    try:
        result = step(paragraph)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("governance:paragraph", paragraph_id=paragraph.public_id)
    messages.success(request, success)
    return redirect("governance:paragraph", paragraph_id=result.public_id)


@require_POST
@access_rule(Action.GOVERNANCE_EDIT)
def paragraph_submit(request, paragraph_id):
    return _workflow(
        request,
        paragraph_id,
        Action.GOVERNANCE_EDIT,
        lambda p: services.submit_paragraph(actor=request.user, paragraph=p),
        _("The paragraph has been submitted to the board for approval."),
    )


@require_POST
@access_rule(Action.GOVERNANCE_VIEW)
def paragraph_return(request, paragraph_id):
    """Withdrawn by the IBP officer or sent back by a board member; the service checks which."""
    paragraph = selectors.access_paragraph(request.user, paragraph_id)
    form = ReturnForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.return_paragraph(actor=request.user, paragraph=paragraph, note=note)
    except NotPermitted as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The paragraph is a draft again."))
    return redirect("governance:paragraph", paragraph_id=paragraph.public_id)


@require_POST
@access_rule(Action.GOVERNANCE_APPROVE)
def paragraph_approve(request, paragraph_id):
    return _workflow(
        request,
        paragraph_id,
        Action.GOVERNANCE_APPROVE,
        lambda p: services.approve_paragraph(actor=request.user, paragraph=p),
        _("The paragraph has been approved and is now locked."),
    )


@require_POST
@access_rule(Action.GOVERNANCE_EDIT)
def paragraph_new_version(request, paragraph_id):
    return _workflow(
        request,
        paragraph_id,
        Action.GOVERNANCE_EDIT,
        lambda p: services.start_new_version(actor=request.user, paragraph=p),
        _("A new version has been started from the approved text."),
    )


@access_rule(Action.GOVERNANCE_VIEW)
def paragraph_export(request, paragraph_id, fmt: str):
    paragraph = selectors.access_paragraph(request.user, paragraph_id)
    if fmt not in exports.RENDERERS:
        raise Http404
    language = "en" if request.GET.get("language") == "en" else "nl"
    response = HttpResponse(exports.render(paragraph, fmt, language), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(paragraph, fmt)}"'
    return response


# --- supervisory board ----------------------------------------------------------------------


@access_rule(Action.GOVERNANCE_VIEW)
def supervision(request, organisation_id):
    """The read-only view for the supervisory board: scores, counts and budgets only."""
    organisation = access_organisation(request.user, organisation_id, Action.GOVERNANCE_VIEW)
    summary = selectors.supervisory_summary(organisation)
    return render(request, "governance/supervision.html", _supervision_context(summary))


def _supervision_context(summary: dict) -> dict:
    forecast = summary["forecast"]
    return {
        **summary,
        "forecast_label": monitor_reports.outlook_label(forecast.outlook)[1] if forecast else "",
        "forecast_tone": monitor_reports.outlook_label(forecast.outlook)[0] if forecast else "",
    }


@access_rule(Action.GOVERNANCE_VIEW)
def supervision_pdf(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.GOVERNANCE_VIEW)
    summary = selectors.supervisory_summary(organisation)
    pdf = render_pdf("governance/supervision_pdf.html", _supervision_context(summary))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="supervisory-board-{summary["quarter"]}-{organisation.public_id}.pdf"'
    )
    return response


# --- sector figures and settings ------------------------------------------------------------


@access_rule(Action.AGGREGATE_VIEW)
def sector_page(request):
    codes = selectors.reader_sector_codes(request.user)
    if not codes:
        raise Http404
    years = selectors.figure_years()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = years[1]
    if year not in years:
        year = years[1]
    return render(
        request,
        "governance/sector.html",
        {"figures": selectors.sector_figures(codes, year), "years": years, "year": year},
    )


@access_rule(Action.SECTOR_COORDINATE)
def sector_settings_list(request):
    sectors = list(selectors.coordinated_sectors(request.user))
    if not sectors:
        raise Http404
    rows = []
    for sector in sectors:
        values = selectors.settings_for(sector)
        rows.append(
            {
                "sector": sector,
                "elements": [Element(e).label for e in values["elements"]],
                "due": selectors.due_date(sector, timezone.localdate().year - 1),
            }
        )
    return render(request, "governance/sector_settings_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def sector_settings_edit(request, code):
    sector = selectors.access_coordinated_sector(request.user, code)
    form = SectorSettingsForm(request.POST or None, initial=selectors.settings_for(sector))

    def save(data):
        services.set_sector_settings(actor=request.user, sector=sector, **data)

    message = _("The paragraph settings of the sector have been saved.")
    if request.method == "POST" and submit_form(request, form, save, message):
        return redirect("governance:sector_settings")
    return render(
        request,
        "governance/sector_settings_form.html",
        {"sector": sector, "form": form},
        status=400 if request.method == "POST" else 200,
    )
