from io import StringIO

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import translation

from weerbaar.accounts.models import User
from weerbaar.core.permissions import Role
from weerbaar.organisations.demo import (
    DEMO_EMAILS,
    MAX_ORGANISATIONS,
    SECTOR_WEIGHTS,
    generate_sector,
)
from weerbaar.organisations.services import load_demo_sector

DEMO_CODE_COMMAND = ".venv/bin/python manage.py demo_code EMAIL"


class Command(BaseCommand):
    help = (
        "Loads a synthetic, reproducible demo sector (school boards with their schools, "
        "institutions, CERTs, sector organisations, councils, ministry, inspectorate, an audit "
        "firm) and one login per role, then prints the logins. Does nothing the second time. "
        "Refuses in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations",
            type=int,
            default=60,
            help="Number of school boards and institutions (schools come on top). Default 60.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the generator. Default 2026.")

    def handle(self, *args, organisations: int, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo sector is never loaded in production.")
        if not settings.DEMO_PASSWORD:
            raise CommandError("Set WEERBAAR_DEMO_PASSWORD: the demo logins need a password.")
        minimum = len(SECTOR_WEIGHTS)
        if not minimum <= organisations <= MAX_ORGANISATIONS:
            raise CommandError(f"--organisations must be between {minimum} (one per sector) and {MAX_ORGANISATIONS}.")
        # The demo's reminders and notices go to made-up addresses: they are kept back rather
        # than printed between the logins by the console backend of a development machine.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            outbox = getattr(mail, "outbox", None)
            mail.outbox = []
            try:
                self._load(organisations, seed)
                kept_back = len(mail.outbox)
            finally:
                if outbox is None:
                    del mail.outbox
                else:
                    mail.outbox = outbox
        if kept_back:
            self.stdout.write(f"{kept_back} e-mails the demo would send (reminders, notices) were kept back.")
        self._print_logins()

    def _load(self, organisations: int, seed: int) -> None:
        if User.objects.filter(email__in=DEMO_EMAILS).exists():
            self.stdout.write("The demo sector is already loaded; nothing was changed.")
        else:
            sector = generate_sector(organisations, seed)
            try:
                load_demo_sector(actor=None, sector=sector, password=settings.DEMO_PASSWORD)
            except ValidationError as exc:
                # A clash with organisations already in the database (a BRIN code or board number
                # taken): the transaction was rolled back, so nothing was written.
                raise CommandError(f"The demo sector could not be loaded, nothing was changed: {exc}") from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo sector loaded (seed {seed}): {len(sector.measured())} school boards and "
                    f"institutions, {len(sector.schools())} schools, {len(sector.organisations)} "
                    "organisations in all."
                )
            )
        # Only once the sector is in: a sector that cannot be loaded leaves nothing behind.
        self._load_catalogues()
        self._load_monitor(seed)
        self._load_assessments(seed)
        self._load_awareness(seed)
        self._load_privacy()
        self._load_advisories(seed)
        # Last: the paragraphs are drafted from the figures loaded above.
        self._load_governance(seed)

    def _load_catalogues(self) -> None:
        # The shipped frameworks the demo assessments are made on (safe to run again).
        if "load_catalogues" not in get_commands():
            self.stdout.write("No load_catalogues command: the demo has no frameworks.")
            return
        call_command("load_catalogues", stdout=StringIO())
        self.stdout.write("Shipped catalogues loaded (versions already present are left alone).")

    def _load_assessments(self, seed: int) -> None:
        # Assessments in every state for the demo logins, and finals for sector figures (once).
        from weerbaar.assessments.services import load_demo_assessments

        counts = load_demo_assessments(actor=None, seed=seed)
        if not any(counts.values()):
            self.stdout.write("The demo assessments are already loaded; nothing was changed.")
        else:
            added = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demo assessments loaded: {added}."))

    def _load_awareness(self, seed: int) -> None:
        # Three years of awareness activities and exercises per organisation, a training offer (once).
        from weerbaar.awareness.services import load_demo_awareness

        counts = load_demo_awareness(actor=None, seed=seed)
        if counts is None:
            self.stdout.write("The demo awareness history is already loaded; nothing was changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo awareness loaded: {counts['activities']} activities of {counts['organisations']} "
                    f"organisations, {counts['findings']} exercise findings, {counts['offers']} courses."
                )
            )

    def _load_privacy(self) -> None:
        # A product catalogue with central DPIAs, products in use, local DPIAs in every state,
        # processing registers from the template and a few breaches (once).
        from weerbaar.privacy.services import load_demo_privacy

        counts = load_demo_privacy(actor=None)
        if counts is None:
            self.stdout.write(
                "The demo privacy records are already loaded (or there is no SIVON); nothing was changed."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo privacy loaded: {counts['products']} products, {counts['centrals']} central DPIAs, "
                    f"{counts['uses']} products in use, local DPIAs {counts['draft']} draft, {counts['advised']} "
                    f"advised, {counts['accepted']} accepted, {counts['review']} to review; "
                    f"{counts['registers']} registers, {counts['breaches']} breaches."
                )
            )

    def _load_advisories(self, seed: int) -> None:
        # Software lists, real and written advisories matched to them, and answers (once).
        from weerbaar.advisories.demo import load_demo_advisories

        counts = load_demo_advisories(seed=seed)
        if counts is None:
            self.stdout.write("The demo advisories are already loaded; nothing was changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo advisories loaded: {counts['advisories']} advisories, software lists of "
                    f"{counts['inventories']} organisations, {counts['exposures']} matches, "
                    f"{counts['answers']} answers."
                )
            )

    def _load_governance(self, seed: int) -> None:
        # Budgets for two or three years and annual-report paragraphs in every state (once).
        from weerbaar.governance.services import load_demo_governance

        counts = load_demo_governance(actor=None, seed=seed)
        if counts is None:
            self.stdout.write("The demo budgets and paragraphs are already loaded; nothing was changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo governance loaded: {counts['budgets']} budgets; paragraphs {counts['draft']} draft, "
                    f"{counts['submitted']} submitted, {counts['approved']} approved."
                )
            )

    def _load_monitor(self, seed: int) -> None:
        # The sector monitor's history: cycles, assessments, measures, SOC (once).
        from weerbaar.monitor.services import load_demo_monitor

        counts = load_demo_monitor(actor=None, seed=seed)
        if counts is None:
            self.stdout.write("The demo monitor is already loaded; nothing was changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo monitor loaded: {counts['cycles']} cycles, {counts['assessments']} "
                    f"assessments, {counts['measures']} measure statuses, {counts['soc']} SOC "
                    "connections."
                )
            )

    def _print_logins(self) -> None:
        rows = []
        users = {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}
        adapter = get_mfa_adapter()
        with translation.override("en"):
            for email in DEMO_EMAILS:
                user = users.get(email)
                if user is None:
                    continue
                # A demo person's own memberships: what the login is for.
                memberships = list(user.memberships.filter(is_active=True).select_related("organisation"))
                totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
                secret = adapter.decrypt(totp.data["secret"]) if totp else "(none)"
                for membership in memberships:
                    rows.append(
                        (
                            str(Role(membership.role).label),
                            email,
                            membership.organisation.name,
                            secret,
                        )
                    )
        if not rows:
            self.stdout.write("No demo logins found.")
            return
        headers = ("Role", "E-mail", "Organisation", "TOTP secret")
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write(f"Demo logins for {settings.SITE_URL}/accounts/login/")
        self.stdout.write(f"Password for every login: {settings.DEMO_PASSWORD}")
        self.stdout.write("")
        for row in [headers, tuple("-" * width for width in widths), *rows]:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
        self.stdout.write(
            "Second factor: add a TOTP secret to an authenticator app, or print the current "
            f"six-digit code with:\n    {DEMO_CODE_COMMAND}"
        )
