"""Print the current authenticator code of a demo user, so a demo can be given without a phone.

Demo accounts are created with a known TOTP secret; this command reads that secret the way allauth
does (through the MFA adapter, which decrypts it) and prints the code that is valid right now.
It refuses to run in production, where it would be a way around the second factor.
"""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


def current_code(secret: str) -> str:
    """The code an authenticator app shows for `secret` right now."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


class Command(BaseCommand):
    help = "Print the current authenticator (TOTP) code of a user. Not available in production."

    def add_arguments(self, parser):
        parser.add_argument("email", help="e-mail address of the user")

    def handle(self, *args, email: str, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_code is not available in production.")
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with e-mail address {email}.")
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{user.email} has no authenticator app set up.")
        try:
            secret = get_adapter().decrypt(authenticator.data["secret"])
        except (KeyError, ValueError) as exc:
            raise CommandError(f"The authenticator secret of {user.email} cannot be read: {exc}") from exc
        self.stdout.write(current_code(secret))
