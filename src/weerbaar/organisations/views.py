"""Pages for the dashboard, an organisation, its members and its audit log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.core.access import SIGNED_IN, access_rule
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import can
from weerbaar.organisations import selectors, services
from weerbaar.organisations.forms import InviteForm, OrganisationForm, RoleForm

PAGE_SIZE = 25


def _role_choices(organisation) -> list[tuple[str, str]]:
    labels = dict(Role.choices)
    return [(role, labels[role]) for role in services.roles_for_kind(organisation.kind)]


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@access_rule(SIGNED_IN)
def dashboard(request):
    """Landing page: the user's organisations and roles, and what each role can do next."""
    memberships = request.user.memberships.filter(is_active=True, organisation__is_active=True).select_related(
        "organisation", "organisation__sector"
    )
    return render(request, "organisations/dashboard.html", {"memberships": memberships})


@access_rule(Action.ORGANISATION_VIEW)
def organisation_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.list_organisations(request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "organisations/_organisation_rows.html"
        if request.htmx and not request.htmx.boosted
        else "organisations/organisation_list.html"
    )
    return render(request, template, {"page": page, "search": search})


@access_rule(Action.ORGANISATION_VIEW)
def organisation_detail(request, organisation_id):
    organisation = selectors.access_organisation(request.user, organisation_id)
    context = {
        "organisation": organisation,
        "can_change": can(request.user, Action.ORGANISATION_CHANGE, organisation.pk),
        "can_view_members": can(request.user, Action.MEMBER_VIEW, organisation.pk),
        "can_view_audit": can(request.user, Action.AUDIT_LOG_VIEW, organisation.pk),
        "schools": selectors.list_organisations(request.user).filter(parent=organisation),
    }
    return render(request, "organisations/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
@access_rule(Action.ORGANISATION_CHANGE)
def organisation_edit(request, organisation_id):
    organisation = selectors.access_organisation(request.user, organisation_id, Action.ORGANISATION_CHANGE)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            # The form edits the instance in memory; the service compares against a fresh copy.
            fresh = selectors.access_organisation(request.user, organisation_id, Action.ORGANISATION_CHANGE)
            services.update_organisation(actor=request.user, organisation=fresh, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect("organisations:organisation_detail", organisation_id=organisation.public_id)
    return render(request, "organisations/organisation_form.html", {"organisation": organisation, "form": form})


@access_rule(Action.MEMBER_VIEW)
def member_list(request, organisation_id):
    organisation = selectors.access_organisation(request.user, organisation_id, Action.MEMBER_VIEW)
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.list_members(request.user, organisation, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_manage = can(request.user, Action.MEMBER_MANAGE, organisation.pk)
    context = {
        "organisation": organisation,
        "page": page,
        "search": search,
        "can_manage": can_manage,
        "invite_form": InviteForm(roles=_role_choices(organisation)) if can_manage else None,
        "role_choices": _role_choices(organisation),
    }
    template = (
        "organisations/_member_rows.html"
        if request.htmx and not request.htmx.boosted
        else "organisations/member_list.html"
    )
    return render(request, template, context)


@require_POST
@access_rule(Action.MEMBER_MANAGE)
def member_invite(request, organisation_id):
    organisation = selectors.access_organisation(request.user, organisation_id, Action.MEMBER_MANAGE)
    form = InviteForm(request.POST, roles=_role_choices(organisation))
    if form.is_valid():
        try:
            membership = services.invite_member(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(email)s has been invited.") % {"email": membership.user.email})
            return redirect("organisations:member_list", organisation_id=organisation.public_id)
    page = Paginator(selectors.list_members(request.user, organisation), PAGE_SIZE).get_page(1)
    context = {
        "organisation": organisation,
        "page": page,
        "search": "",
        "can_manage": True,
        "invite_form": form,
        "role_choices": _role_choices(organisation),
    }
    return render(request, "organisations/member_list.html", context, status=400)


@require_POST
@access_rule(Action.MEMBER_MANAGE)
def member_change_role(request, membership_id):
    membership = selectors.access_membership(request.user, membership_id, Action.MEMBER_MANAGE)
    form = RoleForm(request.POST, roles=_role_choices(membership.organisation))
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a valid role."))
        services.change_member_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role has been changed."))
    return redirect("organisations:member_list", organisation_id=membership.organisation.public_id)


@require_POST
@access_rule(Action.MEMBER_MANAGE)
def member_deactivate(request, membership_id):
    membership = selectors.access_membership(request.user, membership_id, Action.MEMBER_MANAGE)
    try:
        services.deactivate_member(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(email)s no longer has this role.") % {"email": membership.user.email})
    return redirect("organisations:member_list", organisation_id=membership.organisation.public_id)


@require_POST
@access_rule(Action.MEMBER_MANAGE)
def member_reactivate(request, membership_id):
    membership = selectors.access_membership(request.user, membership_id, Action.MEMBER_MANAGE)
    services.reactivate_member(actor=request.user, membership=membership)
    messages.success(request, _("%(email)s has this role again.") % {"email": membership.user.email})
    return redirect("organisations:member_list", organisation_id=membership.organisation.public_id)


@access_rule(Action.AUDIT_LOG_VIEW)
def audit_log(request, organisation_id):
    organisation = selectors.access_organisation(request.user, organisation_id, Action.AUDIT_LOG_VIEW)
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.list_audit_entries(request.user, organisation, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "organisations/_audit_rows.html"
        if request.htmx and not request.htmx.boosted
        else "organisations/audit_log.html"
    )
    return render(request, template, {"organisation": organisation, "page": page, "search": search})
