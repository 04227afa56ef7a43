"""Reads about people and their sign-in state."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.core.permissions import MFA_REQUIRED_ROLES


def mfa_required(user, memberships: list | None = None) -> bool:
    """Whether this user must use a second factor before seeing anything. `memberships` are the
    user's active memberships when the request has already read them (see `signed_in`)."""
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    if memberships is not None:
        return any(m.role in MFA_REQUIRED_ROLES for m in memberships)
    return user.memberships.filter(is_active=True, role__in=MFA_REQUIRED_ROLES).exists()


class SignedIn:
    """What every page needs to know about the signed-in person, read once per request: the
    active memberships (with their organisations, in name order) and whether a second factor is
    set up. The second-factor check, the navigation and the incident link all use it."""

    def __init__(self, user):
        self.user = user
        self.memberships = list(
            user.memberships.filter(is_active=True)
            .select_related("organisation")
            .annotate(_second_factor=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"))))
            .order_by("organisation__name", "pk")
        )
        self._second_factor = self.memberships[0]._second_factor if self.memberships else None

    @property
    def has_second_factor(self) -> bool:
        if self._second_factor is None:
            # Someone without a membership: asked only when every account needs a second factor.
            self._second_factor = Authenticator.objects.filter(user=self.user).exists()
        return self._second_factor

    @property
    def owes_second_factor(self) -> bool:
        return mfa_required(self.user, self.memberships) and not self.has_second_factor


_SIGNED_IN_ATTRIBUTE = "_weerbaar_signed_in"


def signed_in(request) -> SignedIn:
    """The signed-in person's memberships and second factor, in one query, kept on the request
    (never across requests, so a changed membership counts from the next page on)."""
    cached = getattr(request, _SIGNED_IN_ATTRIBUTE, None)
    if cached is None or cached.user.pk != request.user.pk:
        cached = SignedIn(request.user)
        setattr(request, _SIGNED_IN_ATTRIBUTE, cached)
    return cached


def has_security_key(user) -> bool:
    """Whether the user has registered a WebAuthn security key (or passkey)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()


def list_api_tokens(user) -> QuerySet[PersonalAccessToken]:
    """The user's own API tokens, newest first. Tokens belong to a person: nobody sees another's."""
    if user is None or not user.is_authenticated:
        return PersonalAccessToken.objects.none()
    return PersonalAccessToken.objects.filter(user=user).order_by("-created_at")


def access_api_token(user, public_id) -> PersonalAccessToken:
    """One of the user's own tokens, or 404, alike for another person's token and a missing one."""
    try:
        return list_api_tokens(user).get(public_id=public_id)
    except (PersonalAccessToken.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
