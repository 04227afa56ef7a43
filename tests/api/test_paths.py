"""Malformed ids in the path, methods an endpoint does not have, and paths that do not exist all
answer in the one error format and change nothing."""

import pytest

from tests.api.helpers import assert_error, bearer, send, snapshot, token_for

pytestmark = pytest.mark.django_db

DETAIL_ROUTES = [
    ("GET", "/api/v1/organisations/{}/"),
    ("PATCH", "/api/v1/organisations/{}/"),
    ("GET", "/api/v1/memberships/{}/"),
    ("PATCH", "/api/v1/memberships/{}/"),
    ("POST", "/api/v1/memberships/{}/deactivate/"),
    ("POST", "/api/v1/memberships/{}/reactivate/"),
    ("POST", "/api/v1/tokens/{}/revoke/"),
]
MALFORMED_IDS = ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%00", "1.0", "x" * 300]


@pytest.mark.parametrize(("method", "route"), DETAIL_ROUTES)
@pytest.mark.parametrize("malformed", MALFORMED_IDS)
def test_malformed_ids_in_the_path_are_404(client, world, method, route, malformed):
    headers = bearer(token_for(world.officer_a.user, scope="read_write"))
    before = snapshot()

    response = send(client, method, route.format(malformed), {"role": "dpo"}, headers=headers)

    assert_error(response, 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/v1/organisations/{board}/"),
        ("DELETE", "/api/v1/organisations/{board}/"),
        ("POST", "/api/v1/organisations/"),
        ("DELETE", "/api/v1/memberships/{membership}/"),
        ("PUT", "/api/v1/memberships/{membership}/"),
        ("DELETE", "/api/v1/audit-log/"),
        ("POST", "/api/v1/me/"),
    ],
)
def test_methods_an_endpoint_lacks_are_405(client, world, method, path):
    headers = bearer(token_for(world.officer_a.user, scope="read_write"))
    path = path.format(board=world.board_a.public_id, membership=world.dpo_a.public_id)
    before = snapshot()

    response = send(client, method, path, {"name": "x", "role": "dpo"}, headers=headers)

    assert_error(response, 405, "method_not_allowed")
    assert snapshot() == before


def test_paths_that_do_not_exist_are_404_in_the_error_format(client, world):
    headers = bearer(token_for(world.officer_a.user, scope="read_write"))

    for path in ("/api/v1/schools/", "/api/v2/organisations/", "/api/v1/organisations/a/b/c/"):
        assert_error(client.get(path, headers=headers), 404, "not_found")
