"""Pages of the awareness app: an organisation's activities, an activity with its participation
and (for an exercise) evaluation and findings, the central training offer and the anonymised
sector figures. Every read goes through the selectors, every change through the services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.awareness import selectors, services
from weerbaar.awareness.choices import ActivityKind, PeopleGroup
from weerbaar.awareness.forms import (
    ActivityForm,
    EnrolForm,
    EvaluationForm,
    FindingForm,
    ImportForm,
    OfferForm,
    ParticipationForm,
)
from weerbaar.awareness.models import Enrolment
from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import apply_validation_error, submit_form
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import access, can, visible_organisations
from weerbaar.monitor.selectors import aggregate_sector_codes
from weerbaar.organisations.selectors import access_organisation

PAGE_SIZE = 25


# --- overview ------------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def index(request):
    """Where to go: the organisations whose awareness this person follows, the training offer,
    and for sector roles the anonymised figures."""
    organisations = list(selectors.awareness_organisations(request.user))
    if len(organisations) == 1 and not visible_organisations(request.user, Action.AGGREGATE_VIEW).exists():
        return redirect("awareness:organisation", organisations[0].public_id)
    return render(
        request,
        "awareness/index.html",
        {
            "organisations": organisations,
            "can_figures": visible_organisations(request.user, Action.AGGREGATE_VIEW).exists(),
            "can_coordinate": selectors.coordinator_organisations(request.user).exists(),
        },
    )


@access_rule(Action.AWARENESS_VIEW)
def organisation_activities(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.AWARENESS_VIEW)
    kind = request.GET.get("kind", "")
    if kind not in ActivityKind.values:
        kind = ""
    try:
        year = int(request.GET.get("year", "") or 0) or None
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    activities = selectors.activities_for(request.user, organisation, kind=kind, year=year)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    filters = {k: v for k, v in (("kind", kind), ("year", year or "")) if v}
    return render(
        request,
        "awareness/organisation.html",
        {
            "organisation": organisation,
            "page": page,
            "kind": kind,
            "year": year,
            "kinds": ActivityKind.choices,
            "years": list(range(this_year + 1, this_year - 5, -1)),
            "query": urlencode(filters),
            "summary": selectors.year_summary(organisation=organisation, year=this_year),
            "summary_year": this_year,
            "can_edit": can(request.user, Action.AWARENESS_EDIT, organisation.pk),
        },
    )


# --- activities ----------------------------------------------------------------------------------


def _offers_for_form(request, organisation):
    return [
        o
        for o in selectors.offers_for(request.user)
        if o.published and organisation.sector_id in {s.pk for s in o.sectors.all()}
    ]


@access_rule(Action.AWARENESS_EDIT)
@require_http_methods(["GET", "POST"])
def activity_new(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.AWARENESS_EDIT)
    kind = request.GET.get("kind", "")
    if kind not in ActivityKind.values:
        return render(
            request, "awareness/activity_kind.html", {"organisation": organisation, "kinds": ActivityKind.choices}
        )
    offers = _offers_for_form(request, organisation) if kind == ActivityKind.TRAINING else []
    form = ActivityForm(request.POST or None, kind=kind, offers=offers)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(
                actor=request.user, organisation=organisation, kind=kind, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The activity has been recorded."))
            return redirect("awareness:activity", activity.public_id)
    return render(
        request,
        "awareness/activity_form.html",
        {"organisation": organisation, "form": form, "kind_label": ActivityKind(kind).label, "activity": None},
    )


@access_rule(Action.AWARENESS_EDIT)
@require_http_methods(["GET", "POST"])
def activity_edit(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    offers = _offers_for_form(request, activity.organisation) if activity.kind == ActivityKind.TRAINING else []
    initial = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS if name not in ("kind", "offer")}
    initial["offer"] = str(activity.offer.public_id) if activity.offer else ""
    form = ActivityForm(request.POST or None, kind=activity.kind, offers=offers, initial=initial)

    def save(data):
        services.update_activity(actor=request.user, activity=activity, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The activity has been saved.")):
        return redirect("awareness:activity", activity.public_id)
    return render(
        request,
        "awareness/activity_form.html",
        {
            "organisation": activity.organisation,
            "form": form,
            "kind_label": activity.get_kind_display(),
            "activity": activity,
        },
    )


@access_rule(Action.AWARENESS_VIEW)
def activity_detail(request, activity_id, forms: dict | None = None):
    activity = selectors.access_activity(request.user, activity_id)
    can_edit = can(request.user, Action.AWARENESS_EDIT, activity.organisation_id)
    forms = forms or {}
    participations = selectors.participations_of(activity)
    context = {
        "activity": activity,
        "organisation": activity.organisation,
        "participations": participations,
        "totals": {
            "people": sum(p.people for p in participations),
            "invited": sum(p.invited for p in participations),
            "participated": sum(p.participated for p in participations),
        },
        "findings": selectors.findings_of(activity) if activity.kind == ActivityKind.EXERCISE else [],
        "can_edit": can_edit,
        "is_exercise": activity.kind == ActivityKind.EXERCISE,
        "is_phishing": activity.kind == ActivityKind.PHISHING,
        "group_labels": dict(PeopleGroup.choices),
    }
    if activity.kind == ActivityKind.PHISHING and activity.sent:
        context["rates"] = {
            "opened": activity.opened / activity.sent,
            "clicked": activity.clicked / activity.sent,
            "reported": activity.reported / activity.sent,
        }
    if can_edit:
        context["participation_form"] = forms.get("participation") or ParticipationForm()
        context["import_form"] = forms.get("import") or ImportForm()
        if activity.kind == ActivityKind.EXERCISE:
            context["evaluation_form"] = forms.get("evaluation") or EvaluationForm(
                initial={
                    "evaluation": activity.evaluation,
                    "evaluated_on": activity.evaluated_on or timezone.localdate(),
                }
            )
            context["finding_form"] = forms.get("finding") or FindingForm()
    status = 400 if forms else 200
    return render(request, "awareness/activity_detail.html", context, status=status)


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def activity_delete(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    organisation_id = activity.organisation.public_id
    try:
        services.delete_activity(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("awareness:activity", activity.public_id)
    messages.success(request, _("The activity has been removed."))
    return redirect("awareness:organisation", organisation_id)


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def participation_set(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    form = ParticipationForm(request.POST)

    def save(data):
        services.set_participation(actor=request.user, activity=activity, **data)

    if submit_form(request, form, save, _("The participation has been saved.")):
        return redirect("awareness:activity", activity.public_id)
    return activity_detail(request, activity_id, forms={"participation": form})


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def participation_import(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit so that a larger file is refused without reading it all.
        from weerbaar.awareness.participation_csv import MAX_BYTES

        content = upload.read(MAX_BYTES + 1)
        try:
            result = services.import_participation(actor=request.user, activity=activity, content=content)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(rows)d groups imported from the file.") % {"rows": result["rows"]})
            return redirect("awareness:activity", activity.public_id)
    return activity_detail(request, activity_id, forms={"import": form})


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def evaluation_save(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    form = EvaluationForm(request.POST)

    def save(data):
        services.record_evaluation(actor=request.user, activity=activity, **data)

    if submit_form(request, form, save, _("The evaluation has been saved.")):
        return redirect("awareness:activity", activity.public_id)
    return activity_detail(request, activity_id, forms={"evaluation": form})


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def finding_add(request, activity_id):
    activity = selectors.access_activity(request.user, activity_id, Action.AWARENESS_EDIT)
    form = FindingForm(request.POST)

    def add(data):
        services.add_finding(actor=request.user, activity=activity, **data)

    if submit_form(request, form, add, _("The finding has been added to the improvement plan.")):
        return redirect("awareness:activity", activity.public_id)
    return activity_detail(request, activity_id, forms={"finding": form})


# --- central training offer ----------------------------------------------------------------------


@access_rule(SIGNED_IN)
def offer_list(request):
    offers = selectors.offers_for(request.user)
    upcoming = request.GET.get("show") != "all"
    if upcoming:
        offers = offers.filter(ends_on__gte=timezone.localdate())
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awareness/offer_list.html",
        {
            "page": page,
            "upcoming": upcoming,
            "query": "" if upcoming else "show=all",
            "can_coordinate": selectors.coordinator_organisations(request.user).exists(),
        },
    )


def _offer_form_context(request, form, offer=None):
    return {"form": form, "offer": offer}


@access_rule(Action.SECTOR_COORDINATE)
@require_http_methods(["GET", "POST"])
def offer_new(request):
    coordinators = list(selectors.coordinator_organisations(request.user))
    if not coordinators:
        raise Http404
    coordinator = coordinators[0]
    form = OfferForm(request.POST or None, sectors=list(coordinator.served_sectors.all()))
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(actor=request.user, coordinator=coordinator, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The course has been saved."))
            return redirect("awareness:offer", offer.public_id)
    return render(request, "awareness/offer_form.html", _offer_form_context(request, form))


@access_rule(Action.SECTOR_COORDINATE)
@require_http_methods(["GET", "POST"])
def offer_edit(request, offer_id):
    offer = selectors.access_offer_to_change(request.user, offer_id)
    initial = {
        "title": offer.title,
        "description": offer.description,
        "audience": offer.audience,
        "format": offer.format,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        "published": offer.published,
        "sectors": [s.code for s in offer.sectors.all()],
    }
    form = OfferForm(request.POST or None, sectors=list(offer.coordinator.served_sectors.all()), initial=initial)

    def save(data):
        services.update_offer(actor=request.user, offer=offer, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The course has been saved.")):
        return redirect("awareness:offer", offer.public_id)
    return render(request, "awareness/offer_form.html", _offer_form_context(request, form, offer))


@access_rule(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def offer_detail(request, offer_id):
    offer = selectors.access_offer(request.user, offer_id)
    organisations = list(selectors.enrollable_organisations(request.user, offer))
    form = None
    if offer.published and organisations and offer.ends_on >= timezone.localdate():
        form = EnrolForm(request.POST or None, organisations=organisations)

        def enrol(data):
            services.enrol(actor=request.user, offer=offer, organisation=data["organisation"], places=data["places"])

        if request.method == "POST" and submit_form(request, form, enrol, _("The enrolment has been saved.")):
            return redirect("awareness:offer", offer.public_id)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "awareness/offer_detail.html",
        {
            "offer": offer,
            "form": form,
            "enrolments": list(selectors.enrolments_for(request.user, offer)),
            "can_change": can(request.user, Action.SECTOR_COORDINATE, offer.coordinator_id),
            "places": selectors.offer_places(offer)
            if can(request.user, Action.SECTOR_COORDINATE, offer.coordinator_id)
            else None,
        },
        status=400 if form is not None and form.errors else 200,
    )


@access_rule(Action.AWARENESS_EDIT)
@require_POST
def enrolment_cancel(request, enrolment_id):
    enrolment = access(
        Enrolment.objects.select_related("offer"), request.user, Action.AWARENESS_EDIT, public_id=enrolment_id
    )
    offer_id = enrolment.offer.public_id
    services.cancel_enrolment(actor=request.user, enrolment=enrolment)
    messages.success(request, _("The enrolment has been cancelled."))
    return redirect("awareness:offer", offer_id)


# --- sector figures ------------------------------------------------------------------------------


@access_rule(Action.AGGREGATE_VIEW)
def sector_figures(request):
    codes = aggregate_sector_codes(request.user)
    if not codes:
        raise Http404
    return render(request, "awareness/sector.html", {"sector_codes": codes})
