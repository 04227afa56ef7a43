"""The demo privacy records: a catalogue with central DPIAs, schools using them, local DPIAs in
different states, registers from the template and breaches; a second run changes nothing."""

import pytest

from weerbaar.organisations.demo import generate_sector
from weerbaar.organisations.services import load_demo_sector
from weerbaar.privacy import services
from weerbaar.privacy.choices import LocalStatus
from weerbaar.privacy.models import Breach, CentralDPIA, LocalDPIA, ProcessingActivity, Product, ProductUse

pytestmark = pytest.mark.django_db


def test_demo_loads_once(settings):
    settings.PRODUCTION = False
    load_demo_sector(actor=None, sector=generate_sector(20, 2026), password="demo-password-123456")
    counts = services.load_demo_privacy(actor=None)
    assert counts is not None
    assert Product.objects.count() == len(services.DEMO_PRODUCTS)
    assert CentralDPIA.objects.filter(status="published").count() >= 4
    assert CentralDPIA.objects.filter(status="withdrawn").exists()
    dpo_board = LocalDPIA.objects.values_list("organisation", flat=True).first()
    statuses = set(LocalDPIA.objects.filter(organisation=dpo_board).values_list("status", flat=True))
    assert statuses >= {LocalStatus.DRAFT, LocalStatus.ADVISED, LocalStatus.ACCEPTED}
    assert LocalDPIA.objects.filter(needs_review=True).exists()
    assert ProductUse.objects.filter(organisation=dpo_board).exists()
    assert ProcessingActivity.objects.count() >= 9
    assert Breach.objects.count() >= 2
    before = (Product.objects.count(), LocalDPIA.objects.count(), Breach.objects.count())
    assert services.load_demo_privacy(actor=None) is None
    assert (Product.objects.count(), LocalDPIA.objects.count(), Breach.objects.count()) == before
