"""Tenancy scoping: the one way to read institution data.

Every model that belongs to an organisation uses `ScopedQuerySet` as its manager and names the
path from itself to its organisation in `tenant_field`. A read then always goes through

    Model.objects.visible_to(user, Action.X)

which filters with one subquery over the user's memberships that grant that action, or through
`access(Model.objects, user, action, public_id=...)`, which answers 404 alike for a record that does
not exist and one the user may not see.

Which organisations a membership reaches is computed by the organisations app (it owns the
membership model); core names that function in the WEERBAAR_SCOPE_RESOLVER setting so that core
itself imports no domain app. There is no implicit current tenant: the user is always passed in.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.module_loading import import_string

from weerbaar.core.permissions import Action

M = TypeVar("M", bound=models.Model)


class NotPermitted(PermissionDenied):
    """The acting user may not perform this action on this organisation's data."""


@cache
def _resolver() -> Callable[[Any, Action], models.QuerySet]:
    return import_string(settings.WEERBAAR_SCOPE_RESOLVER)


def visible_organisations(user, action: Action) -> models.QuerySet:
    """The organisations whose data `user` may reach for `action` (a lazy queryset)."""
    return _resolver()(user, action)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see."""

    def visible_to(self, user, action: Action) -> "ScopedQuerySet":
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        tenant_field = getattr(self.model, "tenant_field", None)
        if not tenant_field:
            raise TypeError(f"{self.model.__name__} does not declare tenant_field")
        organisations = visible_organisations(user, action).values("pk")
        return self.filter(**{f"{tenant_field}__in": organisations})


def access(queryset: models.QuerySet, user, action: Action, **lookup: Any) -> Any:
    """The one record matching `lookup` that `user` may reach for `action`, or 404.

    Missing and forbidden look the same on purpose, so ids cannot be probed.
    """
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError) as exc:
        # A malformed UUID raises ValidationError or ValueError: not found as well.
        raise Http404 from exc


def can(user, action: Action, organisation_id: int) -> bool:
    """Whether `user` may perform `action` on the data of the given organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return visible_organisations(user, action).filter(pk=organisation_id).exists()


def require(user, action: Action, organisation_id: int) -> None:
    """Raise NotPermitted unless `user` may perform `action` for the organisation."""
    if not can(user, action, organisation_id):
        raise NotPermitted(f"{action} is not allowed here")
