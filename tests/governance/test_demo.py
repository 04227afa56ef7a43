"""The demo governance data: every demo board and institution budgets for two or three years,
paragraphs in every state, the demo IBP officer's organisation ready to walk the workflow; a
second run changes nothing."""

from collections import Counter
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import member
from weerbaar.core.permissions import Role
from weerbaar.governance import services
from weerbaar.governance.models import AnnualReportParagraph, SecurityBudget
from weerbaar.governance.selectors import REPORTING_KINDS
from weerbaar.organisations.demo import generate_sector
from weerbaar.organisations.models import Membership, Organisation
from weerbaar.organisations.services import load_demo_sector

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def test_demo_budgets_and_paragraphs(settings):
    settings.PRODUCTION = False
    load_demo_sector(actor=None, sector=generate_sector(12, 2026), password="demo-wachtwoord")
    counts = services.load_demo_governance(actor=None, seed=2026, today=TODAY)
    organisations = Organisation.objects.filter(kind__in=REPORTING_KINDS, sector__isnull=False)
    per_organisation = Counter(SecurityBudget.objects.values_list("organisation_id", flat=True))
    assert set(per_organisation) == set(organisations.values_list("pk", flat=True))
    assert set(per_organisation.values()) <= {2, 3}
    states = Counter(AnnualReportParagraph.objects.values_list("status", flat=True))
    assert states["draft"] > 0
    assert states["submitted"] > 0
    assert states["approved"] > 0
    assert counts["budgets"] == SecurityBudget.objects.count()
    # Every stored budget passes the service's own checks.
    for budget in SecurityBudget.objects.all():
        assert budget.security_budget <= budget.ict_budget <= budget.total_budget
        assert budget.ibp_officer_fte + budget.dpo_fte + budget.security_engineer_fte <= budget.headcount_fte
    home = Membership.objects.get(user__email="ibp@demo.weerbaar.invalid").organisation
    assert AnnualReportParagraph.objects.get(organisation=home, year=2024).status == "approved"
    assert AnnualReportParagraph.objects.get(organisation=home, year=2025).status == "draft"
    # Once only.
    assert services.load_demo_governance(actor=None, seed=2026, today=TODAY) is None
    assert SecurityBudget.objects.count() == counts["budgets"]


def test_demo_loader_is_for_the_system_only(settings):
    settings.PRODUCTION = False
    with pytest.raises(PermissionDenied):
        services.load_demo_governance(actor=member(Role.IBP_OFFICER).user)
    settings.PRODUCTION = True
    with pytest.raises(PermissionDenied):
        services.load_demo_governance(actor=None)
