"""Pages of the normenkader catalogue: frameworks, versions, norms, differences, import and
export, and the draft workflow for sector coordinators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.permissions import Action
from weerbaar.frameworks import catalogue_format, oscal, selectors, services
from weerbaar.frameworks.catalogue_format import Catalogue, CatalogueError
from weerbaar.frameworks.choices import CatalogueFormat
from weerbaar.frameworks.documents import read_document
from weerbaar.frameworks.forms import DiffForm, DomainForm, DraftForm, ImportForm, NormForm
from weerbaar.frameworks.models import Domain

EXPORTS = {
    CatalogueFormat.YAML: ("application/yaml; charset=utf-8", "yaml"),
    CatalogueFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    CatalogueFormat.OSCAL: ("application/json; charset=utf-8", "oscal.json"),
}

FIELD_LABELS = {
    "title": gettext_lazy("title"),
    "statement": gettext_lazy("statement"),
    "rationale": gettext_lazy("why it matters"),
    "target_measures": gettext_lazy("example measures"),
    "references": gettext_lazy("references"),
    "id_confirmed": gettext_lazy("code confirmation"),
    "domain": gettext_lazy("domain"),
}


def _field_label(name: str) -> str:
    if name.startswith("level_"):
        return _("level %(level)s") % {"level": name.removeprefix("level_")}
    return str(FIELD_LABELS[name])


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _maintained_version(request, version_id):
    version = selectors.access_version(request.user, version_id)
    if not services.can_maintain(request.user, version.framework):
        raise PermissionDenied
    return version


def _maintained_norm(request, norm_id):
    norm = selectors.access_norm(request.user, norm_id)
    if not services.can_maintain(request.user, norm.version.framework):
        raise PermissionDenied
    return norm


@access_rule(SIGNED_IN)
def framework_list(request):
    search = request.GET.get("q", "").strip()[:100]
    context = {
        "frameworks": selectors.list_frameworks(request.user, search=search),
        "search": search,
        "can_import": services.can_import(request.user),
    }
    return render(request, "frameworks/framework_list.html", context)


@access_rule(SIGNED_IN)
def framework_detail(request, framework_id):
    framework = selectors.access_framework(request.user, framework_id)
    versions = framework.visible_versions
    initial = {}
    if len(versions) >= 2:
        initial = {"old": str(versions[1].public_id), "new": str(versions[0].public_id)}
    context = {
        "framework": framework,
        "versions": versions,
        "diff_form": DiffForm(versions=versions, initial=initial) if len(versions) >= 2 else None,
        "can_maintain": services.can_maintain(request.user, framework),
    }
    return render(request, "frameworks/framework_detail.html", context)


@access_rule(SIGNED_IN)
def version_detail(request, version_id):
    """The domains and norms of a version, searchable; a fixed number of queries."""
    version = selectors.access_version(request.user, version_id)
    search = request.GET.get("q", "").strip()[:100]
    can_maintain = services.can_maintain(request.user, version.framework)
    context = {
        "version": version,
        "framework": version.framework,
        "domains": selectors.domains_with_norms(version, search=search),
        "search": search,
        "can_maintain": can_maintain,
        "can_edit": can_maintain and not version.is_published,
        "draft_form": DraftForm() if can_maintain else None,
        "export_formats": CatalogueFormat.choices,
    }
    template = (
        "frameworks/_norm_list.html" if request.htmx and not request.htmx.boosted else "frameworks/version_detail.html"
    )
    return render(request, template, context)


@access_rule(SIGNED_IN)
def version_export(request, version_id, export_format):
    version = selectors.access_version(request.user, version_id)
    if export_format not in EXPORTS:
        raise Http404
    catalogue = selectors.version_as_catalogue(version)
    if export_format == CatalogueFormat.YAML:
        body = catalogue_format.dump_yaml(catalogue)
    elif export_format == CatalogueFormat.CSV:
        body = catalogue_format.dump_csv(catalogue)
    else:
        body = oscal.dump_oscal(catalogue)
    content_type, extension = EXPORTS[export_format]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{version.framework.code}-{version.label}.{extension}"'
    return response


@access_rule(SIGNED_IN)
def norm_detail(request, norm_id):
    norm = selectors.access_norm(request.user, norm_id)
    can_maintain = services.can_maintain(request.user, norm.version.framework)
    context = {
        "norm": norm,
        "version": norm.version,
        "framework": norm.version.framework,
        "mapped": selectors.mapped_norms(norm, published_only=not can_maintain),
        "can_edit": can_maintain and not norm.version.is_published,
    }
    return render(request, "frameworks/norm_detail.html", context)


@access_rule(SIGNED_IN)
def version_diff(request, framework_id):
    framework = selectors.access_framework(request.user, framework_id)
    versions = framework.visible_versions
    form = DiffForm(request.GET or None, versions=versions)
    diff = old = new = None
    if form.is_bound and form.is_valid():
        by_id = {str(v.public_id): v for v in versions}
        old, new = by_id[form.cleaned_data["old"]], by_id[form.cleaned_data["new"]]
        diff = selectors.diff_versions(old, new)
    changes = [(change, [_field_label(name) for name in change.fields]) for change in diff.changed] if diff else []
    context = {
        "framework": framework,
        "form": form,
        "diff": diff,
        "changes": changes,
        "old": old,
        "new": new,
    }
    return render(request, "frameworks/version_diff.html", context, status=400 if form.errors else 200)


def _import_result_target(result) -> str:
    version = result.version if isinstance(result, services.ImportResult) else result.source
    return version.public_id


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def catalogue_import(request):
    """Upload a catalogue or mapping file. Every problem in the file is listed; nothing is
    written unless the whole file is right."""
    if not services.can_import(request.user):
        raise PermissionDenied
    organisations = selectors.coordinating_organisations(request.user).order_by("name")
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = read_document(upload.name, upload.read(), oscal_code=form.cleaned_data["oscal_code"] or None)
            [result] = services.import_documents(
                actor=request.user,
                documents=[document],
                maintainer=form.cleaned_data.get("maintainer"),
                publish=not form.cleaned_data["as_draft"],
            )
        except CatalogueError as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if isinstance(document, Catalogue):
                if result.created:
                    messages.success(request, _("%(version)s has been imported.") % {"version": result.version})
                else:
                    messages.info(
                        request,
                        _("%(version)s was already there with the same content; nothing changed.")
                        % {"version": result.version},
                    )
            else:
                messages.success(
                    request,
                    _("Mappings imported: %(added)d added, %(changed)d changed, %(unchanged)d unchanged.")
                    % {
                        "added": result.added,
                        "changed": result.changed,
                        "unchanged": result.unchanged,
                    },
                )
            return redirect("frameworks:version_detail", version_id=_import_result_target(result))
    status = 400 if form.errors else 200
    return render(request, "frameworks/import.html", {"form": form}, status=status)


@require_POST
@access_rule(Action.SECTOR_COORDINATE)
def version_new_draft(request, version_id):
    version = _maintained_version(request, version_id)
    form = DraftForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the new version a label."))
        draft = services.create_draft_from(actor=request.user, version=version, label=form.cleaned_data["label"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:version_detail", version_id=version.public_id)
    messages.success(request, _("Draft %(label)s has been made; you can now edit it.") % {"label": draft.label})
    return redirect("frameworks:version_detail", version_id=draft.public_id)


@require_POST
@access_rule(Action.SECTOR_COORDINATE)
def version_publish(request, version_id):
    version = _maintained_version(request, version_id)
    try:
        services.publish_version(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages[:10]))
    else:
        messages.success(
            request,
            _("%(version)s has been published and can no longer be changed.") % {"version": version},
        )
    return redirect("frameworks:version_detail", version_id=version.public_id)


@require_POST
@access_rule(Action.SECTOR_COORDINATE)
def version_discard(request, version_id):
    version = _maintained_version(request, version_id)
    try:
        services.discard_draft(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:version_detail", version_id=version.public_id)
    messages.success(request, _("The draft has been discarded."))
    return redirect("frameworks:framework_detail", framework_id=version.framework.public_id)


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def norm_edit(request, norm_id):
    norm = _maintained_norm(request, norm_id)
    version = norm.version
    if request.method == "GET" and version.is_published:
        messages.error(
            request,
            _("This version is published and can no longer be changed. Make a new draft from it."),
        )
        return redirect("frameworks:norm_detail", norm_id=norm.public_id)
    domains = Domain.objects.filter(version=version).order_by("position")
    form = NormForm(
        request.POST or None,
        initial=NormForm.initial_for(norm),
        domains=domains,
        scored=version.scored,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_norm(
                actor=request.user,
                norm=norm,
                domain=form.cleaned_data["domain"],
                **form.service_values(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The norm has been saved."))
            return redirect("frameworks:norm_detail", norm_id=norm.public_id)
    context = {"form": form, "norm": norm, "version": version, "framework": version.framework}
    return render(request, "frameworks/norm_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def norm_add(request, version_id):
    version = _maintained_version(request, version_id)
    if version.is_published:
        messages.error(
            request,
            _("This version is published and can no longer be changed. Make a new draft from it."),
        )
        return redirect("frameworks:version_detail", version_id=version.public_id)
    domains = Domain.objects.filter(version=version).order_by("position")
    form = NormForm(
        request.POST or None,
        domains=domains,
        scored=version.scored,
        initial={"domain": request.GET.get("domain")} if request.GET.get("domain") else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            norm = services.add_norm(actor=request.user, domain=form.cleaned_data["domain"], **form.service_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Norm %(code)s has been added.") % {"code": norm.code})
            return redirect("frameworks:norm_detail", norm_id=norm.public_id)
    context = {"form": form, "norm": None, "version": version, "framework": version.framework}
    return render(request, "frameworks/norm_form.html", context, status=400 if form.errors else 200)


@require_POST
@access_rule(Action.SECTOR_COORDINATE)
def norm_delete(request, norm_id):
    norm = _maintained_norm(request, norm_id)
    version = norm.version
    try:
        services.remove_norm(actor=request.user, norm=norm)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:norm_detail", norm_id=norm.public_id)
    messages.success(request, _("The norm has been removed from the draft."))
    return redirect("frameworks:version_detail", version_id=version.public_id)


@require_http_methods(["GET", "POST"])
@access_rule(Action.SECTOR_COORDINATE)
def domain_add(request, version_id):
    version = _maintained_version(request, version_id)
    if version.is_published:
        messages.error(
            request,
            _("This version is published and can no longer be changed. Make a new draft from it."),
        )
        return redirect("frameworks:version_detail", version_id=version.public_id)
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_domain(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The domain has been added."))
            return redirect("frameworks:version_detail", version_id=version.public_id)
    context = {"form": form, "version": version, "framework": version.framework}
    return render(request, "frameworks/domain_form.html", context, status=400 if form.errors else 200)
