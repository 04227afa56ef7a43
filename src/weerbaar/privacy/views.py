"""Pages of the privacy app: the catalogue and central DPIAs, an organisation's products, local
DPIAs, processing register and breach register, and the sector view. Every read goes through the
selectors, every change through the services."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.forms import apply_validation_error, submit_form
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, can, visible_organisations
from weerbaar.privacy import forms, selectors, services
from weerbaar.privacy.choices import RISK_COLOURS, CentralStatus, LocalStatus, RiskLevel
from weerbaar.privacy.models import LocalMeasure, LocalRisk, Product, VendorMeasure
from weerbaar.reports.pdf import render_pdf

PAGE_SIZE = 50


def _refuse(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


BADGES = {"red": "danger", "orange": "warning", "green": "ok"}


def risk_badge(level: str) -> str:
    return BADGES[RISK_COLOURS[RiskLevel(level)]] if level in RiskLevel.values else "neutral"


# --- start page ----------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def index(request):
    """The privacy desk: the organisations this person keeps privacy records for, their messages,
    the catalogue and, for sector roles, the sector view."""
    user = request.user
    organisations = list(selectors.privacy_organisations(user))
    context = {
        "organisations": organisations,
        "notices": selectors.notices_for(user),
        "stewards": list(selectors.stewards_of(user)),
        "can_sector": visible_organisations(user, Action.AGGREGATE_VIEW).exists()
        or selectors.stewards_of(user).exists(),
        "can_catalogue": Product.objects.visible_to(user, Action.PRIVACY_VIEW).exists()
        or selectors.stewards_of(user).exists(),
    }
    return render(request, "privacy/index.html", context)


# --- catalogue -----------------------------------------------------------------------------------


def _catalogue_rows(products):
    rows = []
    for product in products:
        counts = selectors.anonymised_counts(product.use_count, product.current_count)
        rows.append(
            {
                "product": product,
                "counts": counts,
                "badge": risk_badge(product.central_advice) if product.central_advice else "",
                "advice_label": RiskLevel(product.central_advice).label if product.central_advice else "",
            }
        )
    return rows


@access_rule(Action.PRIVACY_VIEW)
def catalogue(request):
    user = request.user
    search = request.GET.get("q", "").strip()[:100]
    products = selectors.list_products(user, search=search)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _catalogue_rows(page.object_list),
        "search": search,
        "stewards": list(selectors.stewards_of(user)),
        "min_group": _min_group(),
    }
    return render(request, "privacy/catalogue.html", context)


def _min_group() -> int:
    from django.conf import settings

    return settings.BENCHMARK_MIN_GROUP + 1


@access_rule(Action.PRIVACY_VIEW)
def catalogue_export(request):
    products = Product.objects.visible_to(request.user, Action.PRIVACY_VIEW).select_related("vendor").order_by("code")
    response = HttpResponse(services.export_products_csv(products), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalogue.csv"'
    return response


def _steward(request, public_id):
    try:
        return selectors.stewards_of(request.user).get(public_id=public_id)
    except Exception as exc:
        raise Http404 from exc


@access_rule(Action.PRIVACY_CATALOGUE)
@require_http_methods(["GET", "POST"])
def catalogue_import(request, steward_id):
    steward = _steward(request, steward_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_products(
                actor=request.user,
                steward=steward,
                data=form.cleaned_data["file"].read(services.catalogue_format.MAX_BYTES + 1),
            )
        except services.ImportRefusedError as exc:
            errors = [exc.message] if exc.message else [str(e) for e in exc.errors[:200]]
        else:
            messages.success(request, _("%(created)d products added, %(updated)d changed.") % result.__dict__)
            return redirect("privacy:catalogue")
    return render(request, "privacy/import.html", {"form": form, "errors": errors, "title": _("Import the catalogue")})


@access_rule(Action.PRIVACY_CATALOGUE)
@require_http_methods(["GET", "POST"])
def product_edit(request, steward_id, product_id=None):
    steward = _steward(request, steward_id)
    product = None
    initial = {}
    if product_id is not None:
        product = selectors.access_product(request.user, product_id, Action.PRIVACY_CATALOGUE)
        if product.steward_id != steward.pk:
            raise Http404
        initial = {
            "code": product.code,
            "vendor_name": product.vendor.name,
            "vendor_country": product.vendor.country,
            "name": product.name,
            "edition": product.edition,
            "version": product.version,
            "description": product.description,
            "covenant_status": product.covenant_status,
            "covenant_since": product.covenant_since,
            "dpa_version": product.dpa_version,
            "dpa_annexes": product.dpa_annexes,
            "data_locations": "; ".join(f"{x['purpose']}:{x['country']}" for x in product.data_locations),
            "transfers": "; ".join(f"{x['country']}:{x['mechanism']}" for x in product.transfers),
            "sub_processors": "; ".join(f"{x['name']}:{x['country']}" for x in product.sub_processors),
            "trackers": "; ".join(product.trackers),
            "ad_recipients": "; ".join(product.ad_recipients),
        }
    form = forms.ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.save_product(actor=request.user, steward=steward, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The product is saved."))
            return redirect("privacy:product", product.public_id)
    return render(request, "privacy/product_form.html", {"form": form, "product": product, "steward": steward})


@access_rule(Action.PRIVACY_VIEW)
@require_http_methods(["GET", "POST"])
def product_detail(request, product_id):
    user = request.user
    product = selectors.access_product(user, product_id)
    organisations = list(
        selectors.privacy_organisations(user, Action.PRIVACY_EDIT).filter(pk__in=selectors.served_by(product))
    )
    use_form = forms.UseForm(request.POST or None, organisations=organisations, prefix="use")
    if request.method == "POST" and use_form.is_valid():
        organisation = next(o for o in organisations if str(o.public_id) == use_form.cleaned_data["organisation"])
        try:
            services.record_use(
                actor=user,
                organisation=organisation,
                product=product,
                since=use_form.cleaned_data["since"],
                edition=use_form.cleaned_data["edition"],
                decided_by=use_form.cleaned_data["decided_by"],
            )
        except ValidationError as exc:
            apply_validation_error(use_form, exc)
        else:
            messages.success(
                request, _("Recorded that %(organisation)s uses this product.") % {"organisation": organisation}
            )
            return redirect("privacy:product", product.public_id)
    versions = list(selectors.readable_centrals(user).filter(product=product).order_by("-number"))
    uses = list(selectors.uses_of_product(user, product))
    context = {
        "product": product,
        "versions": [(v, risk_badge(v.advice)) for v in versions],
        "uses": uses,
        "use_form": use_form if organisations else None,
        "keeper": can(user, Action.PRIVACY_CATALOGUE, product.steward_id),
        "prescan": services.prescan.evaluate(
            [], [], [services.prescan.Transfer(t["country"], t["mechanism"]) for t in product.transfers]
        ),
    }
    return render(request, "privacy/product_detail.html", context)


@access_rule(Action.PRIVACY_CATALOGUE)
@require_http_methods(["GET", "POST"])
def central_new(request, product_id):
    product = selectors.access_product(request.user, product_id, Action.PRIVACY_CATALOGUE)
    form = forms.CentralForm(request.POST or None, initial={"product_version": product.version})
    if request.method == "POST" and form.is_valid():
        try:
            central = services.create_central_draft(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The draft is saved. Check it, then publish it."))
            return redirect("privacy:central", central.public_id)
    return render(request, "privacy/central_form.html", {"form": form, "product": product})


def _central_context(request, central):
    user = request.user
    organisations = list(
        selectors.privacy_organisations(user, Action.PRIVACY_EDIT).filter(pk__in=selectors.served_by(central.product))
    )
    return {
        "central": central,
        "badge": risk_badge(central.advice),
        "risks": [(r, risk_badge(r.level), risk_badge(r.residual)) for r in central.risks.all()],
        "vendor_measures": list(central.vendor_measures.all()),
        "school_measures": list(central.school_measures.all()),
        "keeper": can(user, Action.PRIVACY_CATALOGUE, central.product.steward_id),
        "start_form": forms.StartLocalForm(
            organisations=organisations,
            initial={"title": str(central.product)},
            prefix="start",
        )
        if organisations and central.status == CentralStatus.PUBLISHED
        else None,
        "advice_form": forms.AdviceChangeForm(
            initial={"advice": central.advice, "advice_text": central.advice_text}, prefix="advice"
        ),
        "today": timezone.localdate(),
    }


@access_rule(Action.PRIVACY_VIEW)
def central_detail(request, central_id):
    central = selectors.access_central(request.user, central_id)
    return render(request, "privacy/central_detail.html", _central_context(request, central))


@access_rule(Action.PRIVACY_CATALOGUE)
@require_POST
def central_action(request, central_id, what):
    central = selectors.access_central(request.user, central_id, Action.PRIVACY_CATALOGUE)
    try:
        if what == "publish":
            services.publish_central(actor=request.user, central=central)
            messages.success(request, _("Published. Every organisation using the product is told."))
        elif what == "withdraw":
            services.withdraw_central(actor=request.user, central=central)
            messages.success(request, _("Withdrawn."))
        elif what == "advice":
            form = forms.AdviceChangeForm(request.POST, prefix="advice")
            if not form.is_valid():
                raise ValidationError(_("Choose the advice and describe it."))
            services.change_advice(actor=request.user, central=central, **form.cleaned_data)
            messages.success(request, _("The advice is changed. Every organisation using the product is told."))
        else:
            raise Http404
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect("privacy:central", central.public_id)


@access_rule(Action.PRIVACY_CATALOGUE)
@require_POST
def vendor_measure(request, measure_id):
    try:
        measure = VendorMeasure.objects.select_related("central__product").get(
            public_id=measure_id,
            central__in=selectors.readable_centrals(request.user).filter(
                pk__in=selectors.keeper_centrals(request.user)
            ),
        )
    except VendorMeasure.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.set_vendor_measure(
            actor=request.user, measure=measure, status=request.POST.get("status", ""), due_on=measure.due_on
        )
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect("privacy:central", measure.central.public_id)


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def local_start(request, central_id):
    central = selectors.access_central(request.user, central_id)
    organisations = list(selectors.privacy_organisations(request.user, Action.PRIVACY_EDIT))
    form = forms.StartLocalForm(request.POST, organisations=organisations, prefix="start")
    if form.is_valid():
        organisation = next(o for o in organisations if str(o.public_id) == form.cleaned_data["organisation"])
        try:
            dpia = services.start_local_dpia(
                actor=request.user, organisation=organisation, title=form.cleaned_data["title"], central=central
            )
        except ValidationError as exc:
            _refuse(request, exc)
        else:
            messages.success(request, _("Your local DPIA is started from the central one."))
            return redirect("privacy:local", dpia.public_id)
    else:
        messages.error(request, _("Choose the organisation and give a title."))
    return redirect("privacy:central", central.public_id)


# --- an organisation -----------------------------------------------------------------------------


@access_rule(Action.PRIVACY_VIEW)
@require_http_methods(["GET", "POST"])
def organisation(request, organisation_id):
    user = request.user
    org = selectors.access_privacy_organisation(user, organisation_id)
    can_edit = can(user, Action.PRIVACY_EDIT, org.pk)
    new_form = forms.StartLocalForm(request.POST or None, organisations=[org], prefix="scratch")
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if new_form.is_valid():
            try:
                dpia = services.start_local_dpia(actor=user, organisation=org, title=new_form.cleaned_data["title"])
            except ValidationError as exc:
                apply_validation_error(new_form, exc)
            else:
                return redirect("privacy:local", dpia.public_id)
    today = timezone.localdate()
    dpias = list(selectors.local_dpias(user, org))
    context = {
        "organisation": org,
        "can_edit": can_edit,
        "uses": list(selectors.uses_of(user, org)),
        "dpias": [(d, selectors.is_current(d, today)) for d in dpias],
        "new_form": new_form if can_edit else None,
        "activity_count": selectors.activities_of(user, org).count(),
        "breach_count": len(selectors.breach_register(user, org)),
    }
    return render(request, "privacy/organisation.html", context)


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def use_end(request, use_id):
    use = selectors.access_use(request.user, use_id)
    services.end_use(actor=request.user, use=use)
    messages.success(request, _("No longer recorded as in use."))
    return redirect("privacy:organisation", use.organisation.public_id)


# --- local DPIA ----------------------------------------------------------------------------------


def _local_context(request, dpia, **forms_given):
    user = request.user
    today = timezone.localdate()
    can_edit = can(user, Action.PRIVACY_EDIT, dpia.organisation_id) and not dpia.locked
    risks = list(dpia.risks.select_related("central_risk"))
    measures = list(dpia.measures.select_related("school_measure"))
    result = services.prescan_of(dpia)
    return {
        "dpia": dpia,
        "can_edit": can_edit,
        "is_current": selectors.is_current(dpia, today),
        "risks": [
            (
                r,
                risk_badge(r.level),
                risk_badge(r.residual),
                forms.RiskForm(
                    prefix=f"risk-{r.public_id.hex}",
                    initial={
                        "applies": r.applies,
                        "likelihood": r.likelihood,
                        "impact": r.impact,
                        "residual": r.residual,
                    },
                ),
            )
            for r in risks
        ],
        "measures": [
            (
                m,
                forms.MeasureForm(
                    prefix=f"measure-{m.public_id.hex}",
                    initial={"implemented": m.implemented, "implemented_on": m.implemented_on, "note": m.note},
                ),
            )
            for m in measures
        ],
        "prescan": result,
        "form": forms_given.get("form")
        or forms.LocalForm(
            initial={
                "title": dpia.title,
                "description": dpia.description,
                "data_description": dpia.data_description,
                "legal_basis": dpia.legal_basis,
                "lawfulness": dpia.lawfulness,
                "measures_note": dpia.measures_note,
                "ap_types": dpia.ap_types,
                "edpb_criteria": dpia.edpb_criteria,
            }
        ),
        "new_risk_form": forms_given.get("new_risk_form") or forms.NewRiskForm(prefix="newrisk"),
        "new_measure_form": forms_given.get("new_measure_form") or forms.NewMeasureForm(prefix="newmeasure"),
        "advice_form": forms_given.get("advice_form")
        or forms.AdviceForm(prefix="advice", initial={"advised_on": today}),
        "accept_form": forms_given.get("accept_form")
        or forms.AcceptForm(prefix="accept", initial={"accepted_on": today}),
        "can_advise": dpia.status == LocalStatus.DRAFT
        and can(user, Action.PRIVACY_EDIT, dpia.organisation_id)
        and selectors.is_dpo_for(user, dpia.organisation),
        "can_accept": dpia.status == LocalStatus.ADVISED and can(user, Action.PRIVACY_ACCEPT, dpia.organisation_id),
        "can_new_version": dpia.status == LocalStatus.ACCEPTED and can(user, Action.PRIVACY_EDIT, dpia.organisation_id),
        "central_badge": risk_badge(dpia.central.advice) if dpia.central else "",
    }


@access_rule(Action.PRIVACY_VIEW)
@require_http_methods(["GET", "POST"])
def local_detail(request, dpia_id):
    user = request.user
    dpia = selectors.access_local(user, dpia_id)
    if request.method == "POST":
        dpia = selectors.access_local(user, dpia_id, Action.PRIVACY_EDIT)
        form = forms.LocalForm(request.POST)

        def save(data):
            services.update_local_dpia(actor=user, dpia=dpia, **data)

        if submit_form(request, form, save, _("Saved.")):
            return redirect("privacy:local", dpia.public_id)
        return render(request, "privacy/local_detail.html", _local_context(request, dpia, form=form), status=400)
    return render(request, "privacy/local_detail.html", _local_context(request, dpia))


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def local_risk(request, dpia_id, risk_id=None):
    user = request.user
    dpia = selectors.access_local(user, dpia_id, Action.PRIVACY_EDIT)
    try:
        if risk_id is None:
            form = forms.NewRiskForm(request.POST, prefix="newrisk")
            if not form.is_valid():
                return render(
                    request, "privacy/local_detail.html", _local_context(request, dpia, new_risk_form=form), status=400
                )
            services.add_local_risk(actor=user, dpia=dpia, **form.cleaned_data)
        else:
            row = LocalRisk.objects.filter(dpia=dpia, public_id=risk_id).first()
            if row is None:
                raise Http404
            form = forms.RiskForm(request.POST, prefix=f"risk-{row.public_id.hex}")
            if not form.is_valid():
                raise ValidationError(_("Choose a likelihood, an impact and a residual level."))
            services.set_local_risk(actor=user, risk_row=row, **form.cleaned_data)
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect(f"{dpia_url(dpia)}#risks")


def dpia_url(dpia) -> str:
    from django.urls import reverse

    return reverse("privacy:local", args=[dpia.public_id])


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def local_measure(request, dpia_id, measure_id=None):
    user = request.user
    dpia = selectors.access_local(user, dpia_id, Action.PRIVACY_EDIT)
    try:
        if measure_id is None:
            form = forms.NewMeasureForm(request.POST, prefix="newmeasure")
            if not form.is_valid():
                raise ValidationError(_("Describe the measure and choose its kind."))
            services.add_local_measure(actor=user, dpia=dpia, **form.cleaned_data)
        else:
            row = LocalMeasure.objects.filter(dpia=dpia, public_id=measure_id).first()
            if row is None:
                raise Http404
            form = forms.MeasureForm(request.POST, prefix=f"measure-{row.public_id.hex}")
            if not form.is_valid():
                raise ValidationError(_("Give a valid date."))
            services.set_local_measure(actor=user, measure=row, **form.cleaned_data)
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect(f"{dpia_url(dpia)}#measures")


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def local_advice(request, dpia_id):
    user = request.user
    dpia = selectors.access_local(user, dpia_id, Action.PRIVACY_EDIT)
    form = forms.AdviceForm(request.POST, prefix="advice")

    def advise(data):
        try:
            services.record_advice(actor=user, dpia=dpia, **data)
        except NotPermitted as exc:
            raise Http404 from exc

    if submit_form(request, form, advise, _("Your advice is recorded. A board member can now accept the DPIA.")):
        return redirect("privacy:local", dpia.public_id)
    return render(request, "privacy/local_detail.html", _local_context(request, dpia, advice_form=form), status=400)


@access_rule(Action.PRIVACY_ACCEPT)
@require_POST
def local_accept(request, dpia_id):
    user = request.user
    dpia = selectors.access_local(user, dpia_id, Action.PRIVACY_ACCEPT)
    form = forms.AcceptForm(request.POST, prefix="accept")

    def accept(data):
        services.accept_local_dpia(actor=user, dpia=dpia, **data)

    if submit_form(request, form, accept, _("The DPIA is accepted and locked.")):
        return redirect("privacy:local", dpia.public_id)
    return render(request, "privacy/local_detail.html", _local_context(request, dpia, accept_form=form), status=400)


@access_rule(Action.PRIVACY_EDIT)
@require_POST
def local_new_version(request, dpia_id):
    dpia = selectors.access_local(request.user, dpia_id, Action.PRIVACY_EDIT)
    try:
        new = services.new_local_version(actor=request.user, dpia=dpia)
    except ValidationError as exc:
        _refuse(request, exc)
        return redirect("privacy:local", dpia.public_id)
    messages.success(request, _("A new draft version is made."))
    return redirect("privacy:local", new.public_id)


@access_rule(Action.PRIVACY_VIEW)
def local_export(request, dpia_id, file_format):
    dpia = selectors.access_local(request.user, dpia_id)
    name = slugify(dpia.title) or "dpia"
    if file_format == "json":
        response = HttpResponse(
            json.dumps(services.local_json(dpia), ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-v{dpia.number}.json"'
        return response
    if file_format != "pdf":
        raise Http404
    context = _local_context(request, dpia)
    context["generated_at"] = timezone.now()
    pdf = render_pdf("privacy/local_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-v{dpia.number}.pdf"'
    return response


# --- processing register -------------------------------------------------------------------------


@access_rule(Action.PRIVACY_VIEW)
@require_http_methods(["GET", "POST"])
def register(request, organisation_id):
    user = request.user
    org = selectors.access_privacy_organisation(user, organisation_id)
    can_edit = can(user, Action.PRIVACY_EDIT, org.pk)
    import_form = forms.ImportForm(request.POST or None, request.FILES or None, prefix="import")
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if request.POST.get("template"):
            added = services.apply_template(actor=user, organisation=org)
            messages.success(request, _("%(n)d activities from the sector template added.") % {"n": added})
            return redirect("privacy:register", org.public_id)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            file_format = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
            try:
                result = services.import_register(
                    actor=user,
                    organisation=org,
                    data=upload.read(services.catalogue_format.MAX_BYTES + 1),
                    file_format=file_format,
                )
            except services.ImportRefusedError as exc:
                errors = [exc.message] if exc.message else [str(e) for e in exc.errors[:200]]
            else:
                messages.success(request, _("%(created)d activities added, %(updated)d replaced.") % result.__dict__)
                return redirect("privacy:register", org.public_id)
    activities = selectors.activities_of(user, org)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": org,
        "page": page,
        "can_edit": can_edit,
        "import_form": import_form,
        "errors": errors,
    }
    return render(request, "privacy/register.html", context)


@access_rule(Action.PRIVACY_VIEW)
def register_export(request, organisation_id, file_format):
    org = selectors.access_privacy_organisation(request.user, organisation_id)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    data = services.export_register(selectors.activities_of(request.user, org), file_format, title=org.name)
    content_type = (
        "text/csv; charset=utf-8"
        if file_format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="processing-register.{file_format}"'
    return response


@access_rule(Action.PRIVACY_EDIT)
@require_http_methods(["GET", "POST"])
def activity_edit(request, organisation_id, activity_id=None):
    user = request.user
    org = selectors.access_privacy_organisation(user, organisation_id, Action.PRIVACY_EDIT)
    activity = None
    initial = {}
    if activity_id is not None:
        activity = selectors.access_activity(user, activity_id, Action.PRIVACY_EDIT)
        if activity.organisation_id != org.pk:
            raise Http404
        initial = {
            "name": activity.name,
            "purposes": activity.purposes,
            "legal_basis": activity.legal_basis,
            "special_condition": activity.special_condition,
            "data_subjects": "; ".join(activity.data_subjects),
            "data_categories": "; ".join(activity.data_categories),
            "recipients": activity.recipients,
            "processors": [p.code for p in activity.processors.all()],
            "transfers": "; ".join(f"{t['country']}:{t['mechanism']}" for t in activity.transfers),
            "retention": activity.retention,
            "security_measures": activity.security_measures,
            "dpia_needed": activity.dpia_needed,
            "covering_dpia": str(activity.covering_dpia.public_id) if activity.covering_dpia else "",
        }
    dpias = list(selectors.local_dpias(user, org))
    form = forms.ActivityForm(
        request.POST or None,
        initial=initial,
        products=selectors.catalogue_for(org).select_related("vendor").order_by("name"),
        dpias=dpias,
    )

    def save(cleaned):
        data = dict(cleaned)
        data["processor_codes"] = data.pop("processors")
        covering = data.pop("covering_dpia")
        data["covering_dpia"] = next((d for d in dpias if str(d.public_id) == covering), None)
        services.save_activity(actor=user, organisation=org, activity=activity, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The activity is saved.")):
        return redirect("privacy:register", org.public_id)
    return render(request, "privacy/activity_form.html", {"form": form, "organisation": org, "activity": activity})


# --- breach register -----------------------------------------------------------------------------


@access_rule(Action.PRIVACY_VIEW)
def breaches(request, organisation_id):
    user = request.user
    org = selectors.access_privacy_organisation(user, organisation_id)
    rows = selectors.breach_register(user, org)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"organisation": org, "page": page, "can_edit": can(user, Action.PRIVACY_EDIT, org.pk)}
    return render(request, "privacy/breaches.html", context)


@access_rule(Action.PRIVACY_VIEW)
def breaches_export(request, organisation_id):
    org = selectors.access_privacy_organisation(request.user, organisation_id)
    data = services.breach_workbook(selectors.breach_register(request.user, org))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="breach-register.xlsx"'
    return response


def _breach_initial(breach) -> dict:
    return {f: getattr(breach, f) for f in services.BREACH_FIELDS}


@access_rule(Action.PRIVACY_EDIT)
@require_http_methods(["GET", "POST"])
def breach_edit(request, organisation_id, breach_id=None):
    user = request.user
    org = selectors.access_privacy_organisation(user, organisation_id, Action.PRIVACY_EDIT)
    breach = None
    if breach_id is not None:
        breach = selectors.access_breach(user, breach_id, Action.PRIVACY_EDIT)
        if breach.organisation_id != org.pk:
            raise Http404
    form_class = forms.DecisionForm if breach and breach.incident_id else forms.BreachForm
    form = form_class(request.POST or None, initial=_breach_initial(breach) if breach else {})

    def save(data):
        if breach is None:
            services.record_breach(actor=user, organisation=org, **data)
        else:
            services.update_breach(actor=user, breach=breach, **data)

    if request.method == "POST" and submit_form(request, form, save, _("The breach register is updated.")):
        return redirect("privacy:breaches", org.public_id)
    return render(request, "privacy/breach_form.html", {"form": form, "organisation": org, "breach": breach})


@access_rule(Action.PRIVACY_EDIT)
@require_http_methods(["GET", "POST"])
def incident_decision(request, incident_id):
    user = request.user
    incident = selectors.access_breach_incident(user, incident_id)
    existing = getattr(incident, "breach", None)
    form = forms.DecisionForm(request.POST or None, initial=_breach_initial(existing) if existing else {})

    def decide(data):
        services.decide_on_incident(actor=user, incident=incident, **data)

    if request.method == "POST" and submit_form(request, form, decide, _("Your decision is in the breach register.")):
        return redirect("privacy:breaches", incident.organisation.public_id)
    return render(
        request,
        "privacy/breach_form.html",
        {"form": form, "organisation": incident.organisation, "breach": existing, "incident": incident},
    )


# --- sector view ---------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def sector(request):
    """Per product: how many organisations use it and how many have a current local DPIA
    (anonymised), overdue vendor measures, and for the coordinator what most needs a central
    DPIA."""
    user = request.user
    products = selectors.list_products(user).order_by("-use_count", "name")
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    needing, rest = selectors.needing_central_dpia(user) if selectors.stewards_of(user).exists() else ([], 0)
    context = {
        "rows": _catalogue_rows(page.object_list),
        "page": page,
        "overdue": list(selectors.overdue_vendor_measures(user)[:100]),
        "needing": [(p, selectors.anonymised_counts(p.use_count, 0).users) for p in needing],
        "needing_rest": rest,
        "is_coordinator": selectors.stewards_of(user).exists(),
        "min_group": _min_group(),
    }
    return render(request, "privacy/sector.html", context)
