"""Sectors, organisations and the memberships that give people a role in them."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import ScopedQuerySet
from weerbaar.organisations.choices import OrganisationKind, SectorCode


class Sector(models.Model):
    """A part of the education and research system (PO, VO, MBO, ...)."""

    code = models.CharField(max_length=16, choices=SectorCode.choices, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return str(self.get_code_display())


class Organisation(PublicIdModel, TimestampedModel):
    """Any organisation that takes part: a school board, an institution, a school under a board,
    a CERT, a sector service organisation, an umbrella council, the ministry, the inspectorate or
    an audit firm."""

    tenant_field = "pk"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("sector"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("school board"),
        help_text=_("For a school: the board it falls under."),
    )
    board_number = models.CharField(
        _("board number"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A board number has five digits."))],
        help_text=_("DUO's five-digit number of the competent authority (bevoegd gezag)."),
    )
    brin = models.CharField(
        _("BRIN code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{2}[A-Z]{2}(\d{2})?$", _("A BRIN code looks like 12AB or 12AB01."))],
    )
    student_count = models.PositiveIntegerField(
        _("number of pupils or students"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_funded = models.BooleanField(_("publicly funded"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Sectors a CERT or sector organisation serves.
    served_sectors = models.ManyToManyField(
        Sector, blank=True, related_name="serving_organisations", verbose_name=_("sectors served")
    )
    # Member organisations of an umbrella council.
    council_members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="councils", verbose_name=_("members")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["board_number"],
                condition=~models.Q(board_number=""),
                name="organisations_organisation_unique_board_number",
            ),
            models.UniqueConstraint(
                fields=["brin"],
                condition=~models.Q(brin=""),
                name="organisations_organisation_unique_brin",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(is_active=True, user__is_active=True)


class Membership(PublicIdModel, TimestampedModel):
    """A person's role in an organisation. One person may hold several."""

    tenant_field = "organisation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="organisations_membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
