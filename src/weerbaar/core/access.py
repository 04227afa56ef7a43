"""Access rules declared on every view.

Each view says who may reach it: `public` (no sign-in), `signed_in` (any signed-in user; the view
then scopes what it shows itself) or an `Action` that the view checks through core.tenancy. A test
walks every URL pattern and fails for a route whose view declares nothing, so a new page cannot be
added without someone deciding who may see it.
"""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_not_required

from weerbaar.core.permissions import Action

PUBLIC = "public"
SIGNED_IN = "signed_in"

F = TypeVar("F", bound=Callable)


def access_rule(rule: str | Action) -> Callable[[F], F]:
    """Declare the access rule of a function view (or a class, for class-based views)."""

    def mark(view: F) -> F:
        view.access_rule = str(rule)
        if rule == PUBLIC and not isinstance(view, type):
            return login_not_required(view)
        return view

    return mark


def declared_rule(callback) -> str | None:
    """The access rule a resolved URL callback declares, if any."""
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
        getattr(callback, "__wrapped__", None),
    ):
        rule = getattr(candidate, "access_rule", None)
        if rule:
            return str(rule)
    return None
