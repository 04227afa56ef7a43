"""The awareness figures appear in the monitor's sector dashboard and autumn report (and its
PDF), anonymised like every other cell there."""

import pytest
from django.urls import reverse

from tests.awareness.conftest import days_ago
from tests.monitor.conftest import monitor_world  # noqa: F401 - the monitor's world, reused
from weerbaar.awareness.models import Activity

pytestmark = pytest.mark.django_db


def test_dashboard_and_autumn_report_show_the_awareness_figures(client, settings, monitor_world):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = 5
    # Eight PO boards exist in the monitor's world; each held an exercise.
    for organisation in monitor_world.cycle.participations.filter(organisation__sector__code="PO"):
        Activity.objects.create(
            organisation=organisation.organisation,
            kind="exercise",
            title="Oefening",
            held_on=days_ago(10),
            scenario="s",
            groups=["it"],
        )
    client.force_login(monitor_world.council.user)
    cycle_id = monitor_world.cycle.public_id
    dashboard = client.get(reverse("monitor:sector_dashboard"), {"cycle": cycle_id}).content.decode()
    autumn = client.get(reverse("monitor:report_autumn", args=[cycle_id])).content.decode()
    for page in (dashboard, autumn):
        assert 'id="awareness-figures-heading"' in page
        assert "Organisations that held a crisis exercise" in page
        assert "100%" in page
    pdf = client.get(reverse("monitor:report_autumn_pdf", args=[cycle_id]))
    assert pdf.status_code == 200
