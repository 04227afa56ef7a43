"""Writes on accounts: invitations, deactivation, ending sessions, API tokens, demo accounts."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weerbaar.accounts.models import PersonalAccessToken, User
from weerbaar.core import audit, sql
from weerbaar.core.tenancy import NotPermitted


def invitation_url(user) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return f"{settings.SITE_URL}{path}"


def send_invitation(*, user, organisation) -> None:
    """E-mail a newly invited person a link to choose a password."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "organisation": organisation, "url": invitation_url(user)}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def end_sessions(user) -> int:
    """End every session of the user at once (ASVS v5.0.0-7.4.2). Returns how many ended."""
    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    # Every browser session is tracked by allauth's user sessions at sign-in. Should one slip
    # through, the authentication backend still refuses inactive users on every request.
    return ended


@transaction.atomic
def deactivate_user(*, actor, user) -> None:
    """Close an account on the platform: memberships stay for the record, sign-in stops."""
    if actor is None or not actor.is_staff:
        raise NotPermitted("only platform operators close accounts")
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
    audit.record(actor=actor, action="account.deactivated", organisation_id=None, obj=user, object_label=user.email)


TOKEN_PREFIX = "wb"  # noqa: S105 - the public prefix of every token, not a secret


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, actor, name: str, scope: str, days_valid: int) -> tuple[PersonalAccessToken, str]:
    """Create a token for the acting user. Returns the record and the full token, shown once."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, so you recognise it later.")
    elif len(name) > 100:
        errors["name"] = _("The name is too long (at most 100 characters).")
    if scope not in PersonalAccessToken.Scope.values:
        errors["scope"] = _("Choose read only or read and write.")
    if not isinstance(days_valid, int) or not 1 <= days_valid <= settings.API_TOKEN_MAX_DAYS:
        errors["days_valid"] = _("A token is valid for 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    while PersonalAccessToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=actor,
        name=name,
        prefix=prefix,
        key_hash=_hash_secret(secret),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    audit.record(
        actor=actor,
        action="api_token.created",
        organisation_id=None,
        obj=token,
        changes={"name": name, "scope": scope, "expires_at": token.expires_at.isoformat()},
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def revoke_api_token(*, actor, token: PersonalAccessToken) -> PersonalAccessToken:
    if token.user_id != actor.pk:
        raise NotPermitted("a token can only be revoked by its owner")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api_token.revoked", organisation_id=None, obj=token)
    return token


def authenticate_api_token(raw: str) -> PersonalAccessToken | None:
    """The usable token matching `raw`, or None. Compares hashes in constant time."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    # Every API request comes through here: one statement, built once (prefixes are unique).
    token = sql.get_with(PersonalAccessToken, "user", prefix=parts[1])
    if token is None or not hmac.compare_digest(token.key_hash, _hash_secret(parts[2])):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute, so that a busy client does not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def create_demo_account(*, actor, email: str, full_name: str, password_hash: str, totp_secret: str) -> User:
    """Open a demo account that can sign in at once: the demo password (given hashed, so that
    one hash serves every demo login) and a TOTP authenticator with a known secret, so that a
    newcomer can try every role with the second factor on.

    Only the system (a management command) may, and never in production.
    """
    if actor is not None:
        raise NotPermitted("demo accounts are created by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("demo accounts are not created in production")
    try:
        identify_hasher(password_hash)
    except ValueError as exc:
        raise ValidationError({"password": _("A demo account needs a hashed password.")}) from exc
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    email = User.objects.normalize_email(email).lower()
    user = User.objects.create(email=email, full_name=full_name, password=password_hash)
    secret = get_mfa_adapter().encrypt(totp_secret)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    audit.record(
        actor=actor,
        action="account.demo_created",
        organisation_id=None,
        obj=user,
        object_label=user.email,
        changes={"email": user.email, "second_factor": "totp"},
    )
    return user
