"""Budget and staffing: bad input is refused with a clear error and nothing is written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.factories import member
from tests.governance.conftest import signed_in
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.governance import services
from weerbaar.governance.models import SecurityBudget

GOOD = {
    "year": 2025,
    "total_budget": "20000000",
    "ict_budget": "900000",
    "security_budget": "90000",
    "headcount_fte": "180",
    "ibp_officer_fte": "0.6",
    "dpo_fte": "0.2",
    "security_engineer_fte": "0",
    "external_fte": "0.3",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"security_budget": "-5"}, "security_budget", "negative"),
        ({"ict_budget": "30000000"}, "ict_budget", "larger than the total budget"),
        ({"security_budget": "25000000"}, "security_budget", "larger than the total budget"),
        ({"total_budget": "99999999999999"}, "total_budget", "not plausible"),
        ({"ibp_officer_fte": "181"}, "ibp_officer_fte", "total staff"),
        (
            {"ibp_officer_fte": "100", "dpo_fte": "50", "security_engineer_fte": "40"},
            "headcount_fte",
            "together cannot be more",
        ),
        ({"headcount_fte": "0"}, "headcount_fte", "more than 0"),
        ({"year": 1999}, "year", "2000"),
        ({"year": 2300}, "year", "2000"),
        ({"dpo_fte": "veel"}, "dpo_fte", "number"),
        ({"ict_budget": "NaN"}, "ict_budget", "number"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, change, field, message):
    translation.activate("en")  # the messages are checked in the source language
    entries = AuditEntry.objects.count()
    budgets = SecurityBudget.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.save_budget(actor=world.ibp, organisation=world.organisation, **{**GOOD, **change})
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert SecurityBudget.objects.count() == budgets
    assert AuditEntry.objects.count() == entries


def test_a_correction_updates_the_year_and_is_audited(world):
    first = services.save_budget(actor=world.ibp, organisation=world.organisation, **GOOD)
    second = services.save_budget(
        actor=world.ibp, organisation=world.organisation, **{**GOOD, "security_budget": "95000"}
    )
    assert first.pk == second.pk
    assert second.security_budget == Decimal("95000.00")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "budget.update"
    assert entry.changes == {"security_budget": ["90000.00", "95000.00"]}
    assert second.ict_share == pytest.approx(0.10555, abs=1e-4)


def test_only_editors_of_the_organisation_record_budgets(world):
    for actor in (world.board, world.supervisor, world.dpo, member(Role.IBP_OFFICER).user):
        with pytest.raises(NotPermitted):
            services.save_budget(actor=actor, organisation=world.organisation, **GOOD)
    assert not SecurityBudget.objects.filter(year=2025).exists()


def test_budget_page_shows_errors_and_writes_nothing(client, world):
    signed_in(client, world.ibp)
    url = reverse("governance:budget_edit", args=[world.organisation.public_id])
    response = client.post(url, {**GOOD, "security_budget": "25000000"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_security_budget"' in body
    assert not SecurityBudget.objects.filter(year=2025).exists()
    response = client.post(url, GOOD)
    assert response.status_code == 302
    assert SecurityBudget.objects.filter(organisation=world.organisation, year=2025).exists()
    # The edit form is filled in with the stored year.
    response = client.get(url + "?year=2025")
    assert 'value="90000.00"' in response.content.decode()


def test_budget_api_refuses_bad_input(client, world):
    signed_in(client, world.ibp)
    payload = {**GOOD, "organisation": str(world.organisation.public_id), "ict_budget": "30000000"}
    response = client.post("/api/v1/governance/budgets/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "ict_budget" in response.json()["error"]["fields"]
    assert not SecurityBudget.objects.filter(year=2025).exists()
    payload["ict_budget"] = "900000"
    response = client.post("/api/v1/governance/budgets/", payload, content_type="application/json")
    assert response.status_code == 201
    listed = client.get(f"/api/v1/governance/budgets/?organisation={world.organisation.public_id}").json()
    assert sorted(row["year"] for row in listed["results"]) == [2025, world.year]
