"""A small sector for API tests: two boards, a school under the first, people with roles."""

import pytest

from tests.api.helpers import World
from tests.factories import OrganisationFactory, member
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind


@pytest.fixture
def world(db) -> World:
    board_a = OrganisationFactory(name="Stichting Alfa")
    school_a = OrganisationFactory(
        name="School Alfa Oost", kind=OrganisationKind.SCHOOL, parent=board_a, board_number=""
    )
    board_b = OrganisationFactory(name="Stichting Beta")
    return World(
        board_a=board_a,
        school_a=school_a,
        board_b=board_b,
        officer_a=member(Role.IBP_OFFICER, board_a),
        dpo_a=member(Role.DPO, board_a),
        officer_b=member(Role.IBP_OFFICER, board_b),
    )
