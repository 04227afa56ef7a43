"""Pages of the advisories app: the list (what matches you first), an advisory with your matches
and your answer, or for a CERT the counts of its constituency; taking in and writing advisories;
the inventory with its imports and suggestions. Reads go through the selectors, changes through
the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.advisories import csafdoc, selectors, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.forms import AnswerForm, InventoryFileForm, ItemForm, UploadForm, WriteForm
from weerbaar.advisories.models import InventoryItem
from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, access, visible_organisations
from weerbaar.organisations.selectors import access_organisation

PAGE_SIZE = 25


def _publishers(user):
    return visible_organisations(user, Action.ADVISORY_PUBLISH).order_by("name")


@access_rule(SIGNED_IN)
def index(request):
    """Advisories this person may read, those that match their institution first."""
    query = request.GET.get("q", "").strip()[:100]
    matched_only = request.GET.get("matched") == "1"
    advisories = selectors.advisory_list(request.user, matched_only=matched_only, query=query)
    page = Paginator(advisories, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "matched_only": matched_only,
        "can_publish": _publishers(request.user).exists(),
        "inventory_organisations": list(selectors.inventory_organisations(request.user)[:20]),
        "notifications": list(selectors.notifications_of(request.user).filter(read_at__isnull=True)[:10]),
    }
    return render(request, "advisories/index.html", context)


@require_POST
@access_rule(SIGNED_IN)
def notifications_read(request):
    services.mark_notifications_read(actor=request.user)
    return redirect("advisories:index")


@require_http_methods(["GET", "POST"])
@access_rule(Action.ADVISORY_VIEW)
def detail(request, advisory_id):
    advisory = selectors.advisory_for(request.user, advisory_id)
    organisations = selectors.answering_organisations(request.user).filter(
        pk__in=selectors.answerable_or_own(request.user).values("pk")
    )
    form = None
    if organisations.exists():
        form = AnswerForm(request.POST or None, organisations=organisations.order_by("name"))
        if request.method == "POST" and form.is_valid():
            try:
                services.answer(
                    actor=request.user,
                    advisory=advisory,
                    organisation=form.cleaned_data["organisation"],
                    state=form.cleaned_data["state"],
                    patched_on=form.cleaned_data["patched_on"],
                    note=form.cleaned_data["note"],
                )
            except services.InputRefusedError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            except NotPermitted as exc:
                raise PermissionDenied from exc
            else:
                messages.success(request, _("Your answer has been saved."))
                return redirect("advisories:detail", advisory_id=advisory.public_id)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "advisory": advisory,
        "products": list(advisory.products.all()[:200]),
        "product_count": advisory.products.count(),
        "exposures": list(selectors.exposures_of(request.user, advisory)),
        "answers": list(selectors.answers_of(request.user, advisory)),
        "counts": selectors.constituency_exposure(request.user, advisory),
        "form": form,
    }
    return render(request, "advisories/detail.html", context)


@access_rule(Action.ADVISORY_VIEW)
def csaf_download(request, advisory_id):
    """The CSAF document as it was taken in (or as the platform wrote it)."""
    advisory = selectors.advisory_for(request.user, advisory_id)
    response = HttpResponse(bytes(advisory.raw), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{csafdoc.file_name(advisory.tracking_id)}"'
    return response


@require_http_methods(["GET", "POST"])
@access_rule(Action.ADVISORY_PUBLISH)
def upload(request):
    owners = _publishers(request.user)
    if not owners.exists():
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_document(
                actor=request.user,
                raw=form.cleaned_data["document"].read(),
                owner=form.cleaned_data["owner"],
                source=Source.UPLOAD,
                default_tlp=form.cleaned_data["default_tlp"],
            )
        except csafdoc.CsafError as exc:
            form.add_error(
                "document",
                _("The document was not taken in. Failed test: %(test)s. %(detail)s")
                % {"test": exc.test, "detail": exc.detail[:500]},
            )
        else:
            if result.created or result.updated:
                messages.success(request, _("The advisory has been taken in."))
            else:
                messages.info(request, _("This version of the advisory, or a newer one, was already here."))
            return redirect("advisories:detail", advisory_id=result.advisory.public_id)
    return render(request, "advisories/upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
@access_rule(Action.ADVISORY_PUBLISH)
def write(request):
    owners = _publishers(request.user)
    if not owners.exists():
        raise PermissionDenied
    form = WriteForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advisory = services.write_advisory(
                actor=request.user,
                owner=data["owner"],
                title=data["title"],
                tlp=data["tlp"],
                summary=data["summary"],
                cve=data["cve"],
                cvss_vector=data["cvss_vector"],
                kans=data["kans"],
                schade=data["schade"],
                remediation=data["remediation"],
                products=data["products"],
            )
        except csafdoc.CsafError as exc:
            form.add_error(
                None,
                _("The advisory is not valid CSAF: %(test)s. %(detail)s")
                % {
                    "test": exc.test,
                    "detail": exc.detail[:500],
                },
            )
        except services.InputRefusedError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, _("The advisory has been published."))
            return redirect("advisories:detail", advisory_id=advisory.public_id)
    return render(request, "advisories/write.html", {"form": form})


# --- inventory ------------------------------------------------------------------------------------


@access_rule(SIGNED_IN)
def inventory_index(request):
    organisations = list(selectors.inventory_organisations(request.user).order_by("name"))
    if len(organisations) == 1:
        return redirect("advisories:inventory", organisation_id=organisations[0].public_id)
    return render(request, "advisories/inventory_index.html", {"organisations": organisations})


def _inventory_context(request, organisation, *, item_form=None, file_form=None):
    items = selectors.inventory_of(request.user, organisation).order_by("vendor", "product", "version")
    return {
        "organisation": organisation,
        "page": Paginator(items, 50).get_page(request.GET.get("page")),
        "item_form": item_form or ItemForm(),
        "file_form": file_form or InventoryFileForm(),
        "can_edit": visible_organisations(request.user, Action.ADVISORY_ACKNOWLEDGE)
        .filter(pk=organisation.pk)
        .exists(),
    }


@require_http_methods(["GET", "POST"])
@access_rule(Action.ADVISORY_VIEW)
def inventory(request, organisation_id):
    organisation = access_organisation(request.user, organisation_id, Action.ADVISORY_VIEW)
    if not selectors.inventory_organisations(request.user).filter(pk=organisation.pk).exists():
        # A CERT reads counts, not an institution's software list.
        from django.http import Http404

        raise Http404
    item_form = file_form = None
    if request.method == "POST":
        try:
            if "file" in request.FILES:
                file_form = InventoryFileForm(request.POST, request.FILES)
                if file_form.is_valid():
                    data = file_form.cleaned_data["file"].read(services.MAX_INVENTORY_FILE + 1)
                    importer = (
                        services.import_inventory_cyclonedx
                        if file_form.cleaned_data["kind"] == "cyclonedx"
                        else services.import_inventory_csv
                    )
                    count = importer(actor=request.user, organisation=organisation, data=data)
                    messages.success(request, _("The list now holds %(count)s items.") % {"count": count})
                    return redirect("advisories:inventory", organisation_id=organisation.public_id)
            else:
                item_form = ItemForm(request.POST)
                if item_form.is_valid():
                    services.add_item(actor=request.user, organisation=organisation, **item_form.cleaned_data)
                    messages.success(request, _("The item has been added."))
                    return redirect("advisories:inventory", organisation_id=organisation.public_id)
        except services.InputRefusedError as exc:
            target = file_form if file_form is not None else item_form
            for error in exc.errors:
                target.add_error(None, error)
        except NotPermitted as exc:
            raise PermissionDenied from exc
    context = _inventory_context(request, organisation, item_form=item_form, file_form=file_form)
    return render(request, "advisories/inventory.html", context)


@require_POST
@access_rule(Action.ADVISORY_ACKNOWLEDGE)
def item_remove(request, item_id):
    item = access(InventoryItem.objects.all(), request.user, Action.ADVISORY_ACKNOWLEDGE, public_id=item_id)
    organisation_id = item.organisation.public_id
    services.remove_item(actor=request.user, item=item)
    messages.success(request, _("The item has been removed."))
    return redirect("advisories:inventory", organisation_id=organisation_id)


@access_rule(SIGNED_IN)
def suggestions(request):
    """Suggestions for the vendor and product fields, as <option>s of a datalist (htmx)."""
    found = selectors.catalogue(request.user, request.GET.get("product", "")[:100])
    return render(request, "advisories/_suggestions.html", {"suggestions": found})
