"""Helpers shared by the privacy commands: finding an organisation by what an operator knows."""

import contextlib
import uuid

from django.core.management.base import CommandError
from django.db.models import Q

from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Organisation


def find_organisation(reference: str, **filters) -> Organisation:
    """An organisation by its public id, board number or BRIN code."""
    reference = reference.strip()
    condition = Q(board_number=reference) | Q(brin=reference.upper())
    with contextlib.suppress(ValueError):
        condition |= Q(public_id=uuid.UUID(reference))
    found = list(Organisation.objects.filter(condition, **filters)[:2])
    if len(found) != 1:
        raise CommandError(f"No single organisation has the public id, board number or BRIN code {reference!r}.")
    return found[0]


def find_steward(reference: str | None) -> Organisation:
    """The sector organisation keeping the catalogue: named, or the only one there is."""
    stewards = Organisation.objects.filter(kind=OrganisationKind.SECTOR_ORGANISATION, is_active=True)
    if reference:
        reference = reference.strip()
        try:
            return stewards.get(public_id=uuid.UUID(reference))
        except (ValueError, Organisation.DoesNotExist):
            match = list(stewards.filter(name__iexact=reference)[:2])
            if len(match) == 1:
                return match[0]
        raise CommandError(f"No sector organisation with public id or name {reference!r}.")
    only = list(stewards[:2])
    if len(only) != 1:
        raise CommandError("Name the sector organisation that keeps the catalogue with --steward.")
    return only[0]
