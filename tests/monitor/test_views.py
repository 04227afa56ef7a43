"""Monitor pages per role: coordinators see participation, sector roles see anonymised aggregates
only, institutions see their own position, forecast and gaps, and nobody outside an institution
can obtain its scores through any page, export or API call."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.api.helpers import bearer, token_for
from tests.factories import OrganisationFactory, member, sector
from tests.monitor.conftest import PLANTED_VALUES
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.monitor.choices import CycleKind, MeasureState, SocStatus
from weerbaar.monitor.models import (
    BasicMeasure,
    Cycle,
    MeasureStatus,
    Participation,
    Reminder,
    SocConnection,
)
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


def nl(text: str) -> str:
    with translation.override("nl"):
        return gettext(text)


def sector_roles(world):
    return {
        "coordinator": world.coordinator.user,
        "council": world.council.user,
        "ministry": world.ministry.user,
        "inspector": world.inspector.user,
    }


def assert_no_planted_value(text: str, where: str):
    found = [value for value in PLANTED_VALUES if value in text]
    assert not found, f"{where} shows the planted institution's score {found}"


def test_coordinator_sees_who_takes_part_and_their_step_but_no_score(client, monitor_world):
    client.force_login(monitor_world.coordinator.user)
    response = client.get(reverse("monitor:cycle_detail", args=[monitor_world.cycle.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Stichting Uitschieter" in body
    assert nl("Final") in body
    assert "VO Bestuur 5" in body
    assert nl("Invited") in body
    assert_no_planted_value(body, "cycle page")
    # Counts per step: 13 final, 1 invited.
    assert "<dd>13</dd>" in body
    assert "<dd>1</dd>" in body


@pytest.mark.parametrize("role", ["coordinator", "council", "ministry", "inspector"])
def test_sector_roles_see_aggregates_with_suppressed_cells_marked(client, monitor_world, role):
    client.force_login(sector_roles(monitor_world)[role])
    response = client.get(reverse("monitor:sector_dashboard"), {"cycle": monitor_world.cycle.public_id})
    body = response.content.decode()
    assert response.status_code == 200
    # PO overall, by hand: (29/12 + 11/4 + 2 + 65/24 + 55/24 + 3 + 55/24 + 107/24) / 8 = 2.7396.
    assert "2,74" in body
    # Five final VO boards: every VO cell is suppressed (the group and its share on track say
    # so instead of showing a number).
    assert body.count(nl("suppressed (too few participants)")) >= 2
    vo = body.split('id="group-VO"')[1].split("<h2")[0]
    assert nl("suppressed (too few participants)") in vo
    assert "<td" not in vo
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body
    assert "<title id=" in body
    assert "Stichting Uitschieter" not in body
    assert "PO Bestuur" not in body
    assert_no_planted_value(body, f"sector dashboard for {role}")


def test_a_suppressed_cell_in_a_shown_group_reads_suppressed_not_a_number(client, monitor_world):
    from weerbaar.monitor.models import CycleAggregate

    # As when differencing hides one domain of a group that is itself shown.
    cell = CycleAggregate.objects.get(cycle=monitor_world.cycle, group="PO", column="SM")
    CycleAggregate.objects.filter(pk=cell.pk).update(
        suppressed=True,
        count=None,
        mean=None,
        median=None,
        q1=None,
        q3=None,
        distribution={},
        share_at_target=None,
        change=None,
    )
    client.force_login(monitor_world.council.user)
    body = client.get(reverse("monitor:sector_dashboard"), {"cycle": monitor_world.cycle.public_id}).content.decode()
    po = body.split('id="group-PO"')[1].split('id="group-VO"')[0]
    sm_row = po.split("SM Domein SM</th>")[1].split("</tr>")[0]
    assert nl("suppressed (too few participants)") in sm_row
    assert "2,69" not in po  # the SM mean that was there before
    assert "2,74" in po  # the overall row is still shown


def test_an_ibp_officer_cannot_open_the_sector_dashboard_reports_or_exports(client, monitor_world):
    client.force_login(monitor_world.planted_officer.user)
    cycle_id = monitor_world.cycle.public_id
    for name, args in [
        ("monitor:sector_dashboard", []),
        ("monitor:report_spring", [cycle_id]),
        ("monitor:report_autumn_pdf", [cycle_id]),
        ("monitor:export_xlsx", [cycle_id]),
        ("monitor:cycle_list", []),
        ("monitor:cycle_detail", [cycle_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name


def test_the_institution_sees_its_own_position_forecast_and_gaps(client, monitor_world):
    client.force_login(monitor_world.planted_officer.user)
    response = client.get(reverse("monitor:organisation", args=[monitor_world.planted.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "4,46" in body  # its own overall score
    # Seven of the eight PO boards score lower: (7 + 0.5) / 8 = 94 %.
    assert nl("higher than %(p)s%% of the sector") % {"p": "94"} in body
    assert nl("On track") in body
    with translation.override("nl"):
        sentence = gettext(
            "The last overall score, %(latest)s, already meets the ambition of %(target)s set for %(deadline)s."
        )
    assert sentence % {"latest": "4,46", "target": "3,0", "deadline": "31-12-2030"} in body
    # Gaps of the last final assessment: the one norm below 3 is none here, all domains meet it.
    assert "GO" in body
    assert "SM" in body
    # Never another organisation's identity.
    assert "PO Bestuur" not in body


def test_a_vo_board_sees_its_position_suppressed_as_group_too_small(client, monitor_world):
    board = monitor_world.vo_boards[0]
    client.force_login(board.memberships.get(role=Role.IBP_OFFICER).user)
    body = client.get(reverse("monitor:organisation", args=[board.public_id])).content.decode()
    assert nl("not shown: group too small") in body
    assert "%" not in body.split(nl("Your position in the sector"))[1].split(nl("Gaps in the last final assessment"))[0]


@pytest.mark.parametrize("role", ["coordinator", "council", "ministry", "inspector"])
def test_sector_roles_cannot_open_an_institutions_monitor_page(client, monitor_world, role):
    client.force_login(sector_roles(monitor_world)[role])
    organisation_id = monitor_world.planted.public_id
    assert client.get(reverse("monitor:organisation", args=[organisation_id])).status_code == 404
    assert client.get(reverse("monitor:soc_edit", args=[organisation_id])).status_code == 404


def _pdf_html(monkeypatch):
    """The HTML each PDF is rendered from, since the PDF itself stores text as glyphs."""
    from weerbaar.reports import pdf

    rendered = []
    original = pdf.html_to_pdf

    def capture(html, *args, **kwargs):
        rendered.append(html)
        return original(html, *args, **kwargs)

    # The monitor's reports render through the shared static-only renderer.
    monkeypatch.setattr(pdf, "html_to_pdf", capture)
    return rendered


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, float):
                    values.append(f"{value:.4f}")
                    values.append(f"{value:.2f}")
                elif value is not None:
                    values.append(str(value))
    return "\n".join(values)


@pytest.mark.parametrize("role", ["coordinator", "council", "ministry", "inspector"])
def test_no_sector_role_obtains_one_institutions_score_through_any_page_export_or_api(
    client, monitor_world, monkeypatch, role
):
    user = sector_roles(monitor_world)[role]
    cycle_id = monitor_world.cycle.public_id
    planted_id = monitor_world.planted.public_id
    pdf_html = _pdf_html(monkeypatch)
    client.force_login(user)
    pages = [
        reverse("organisations:dashboard"),
        reverse("monitor:index"),
        reverse("monitor:cycle_list"),
        reverse("monitor:cycle_detail", args=[cycle_id]),
        reverse("monitor:sector_dashboard"),
        reverse("monitor:sector_dashboard") + f"?cycle={cycle_id}",
        reverse("monitor:report_spring", args=[cycle_id]),
        reverse("monitor:report_autumn", args=[cycle_id]),
        reverse("monitor:organisation", args=[planted_id]),
        reverse("monitor:measure_edit", args=[planted_id, "MFA"]),
        reverse("monitor:soc_edit", args=[planted_id]),
    ]
    shown = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        shown += response.status_code == 200
        assert_no_planted_value(response.content.decode(), f"{role} {path}")
    assert shown >= 6 if role == "coordinator" else shown >= 5

    for name in ("monitor:report_spring_pdf", "monitor:report_autumn_pdf"):
        response = client.get(reverse(name, args=[cycle_id]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    assert len(pdf_html) == 2
    for html in pdf_html:
        assert nl("suppressed (too few participants)") in html
        assert_no_planted_value(html, f"{role} PDF")

    response = client.get(reverse("monitor:export_xlsx", args=[cycle_id]))
    assert response.status_code == 200
    assert_no_planted_value(_xlsx_text(response.content), f"{role} XLSX")

    client.logout()
    headers = bearer(token_for(user, scope="read"))
    api = [
        "/api/v1/monitor/cycles/",
        f"/api/v1/monitor/cycles/{cycle_id}/",
        f"/api/v1/monitor/cycles/{cycle_id}/participation/",
        "/api/v1/monitor/benchmarks/",
        f"/api/v1/monitor/benchmarks/{cycle_id}/",
        f"/api/v1/monitor/positions/{planted_id}/",
        f"/api/v1/monitor/posture/{planted_id}/",
    ]
    answered = 0
    for path in api:
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 404), (path, response.status_code)
        answered += response.status_code == 200
        assert_no_planted_value(response.content.decode(), f"{role} API {path}")
        assert "Uitschieter" not in response.content.decode()
    assert answered >= 2


def test_opening_a_cycle_through_the_form_invites_the_sector(client, monitor_world):
    client.force_login(monitor_world.coordinator.user)
    form_page = client.get(reverse("monitor:cycle_open")).content.decode()
    assert "MBO" not in form_page.split('name="sectors"')[0][-2000:] or 'value="MBO"' not in form_page
    today = timezone.localdate()
    data = {
        "coordinator": monitor_world.coordinator.organisation.pk,
        "name": "Monitor VO",
        "kind": CycleKind.MONITOR,
        "sectors": [sector("VO").pk],
        "framework_version": monitor_world.version.pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=60)).isoformat(),
    }
    response = client.post(reverse("monitor:cycle_open"), data)
    cycle = Cycle.objects.get(name="Monitor VO")
    assert response.status_code == 302
    assert cycle.participations.count() == 6


def test_a_sector_the_coordinator_does_not_serve_is_refused_and_nothing_is_opened(client, monitor_world):
    client.force_login(monitor_world.coordinator.user)
    today = timezone.localdate()
    before = Cycle.objects.count()
    response = client.post(
        reverse("monitor:cycle_open"),
        {
            "coordinator": monitor_world.coordinator.organisation.pk,
            "name": "MBO ronde",
            "kind": CycleKind.BENCHMARK,
            "sectors": [sector("MBO").pk],
            "framework_version": monitor_world.version.pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert Cycle.objects.count() == before


def test_take_part_starts_the_assessment_for_an_invited_board(client, monitor_world):
    board = monitor_world.vo_boards[5]
    officer = member(Role.IBP_OFFICER, board)
    client.force_login(officer.user)
    page = client.get(reverse("monitor:organisation", args=[board.public_id])).content.decode()
    assert nl("Take part") in page
    response = client.post(reverse("monitor:take_part", args=[board.public_id, monitor_world.cycle.public_id]))
    assert response.status_code == 302
    participation = Participation.objects.get(cycle=monitor_world.cycle, organisation=board)
    assert participation.assessment is not None
    assert participation.assessment.organisation == board


def test_another_board_cannot_take_part_on_someones_behalf(client, monitor_world):
    board = monitor_world.vo_boards[5]
    client.force_login(monitor_world.planted_officer.user)
    response = client.post(reverse("monitor:take_part", args=[board.public_id, monitor_world.cycle.public_id]))
    assert response.status_code == 404
    assert Participation.objects.get(cycle=monitor_world.cycle, organisation=board).assessment is None


def test_invited_board_sees_the_open_cycle_on_its_dashboard(client, monitor_world):
    board = monitor_world.vo_boards[5]
    client.force_login(member(Role.IBP_OFFICER, board).user)
    body = client.get(reverse("organisations:dashboard")).content.decode()
    assert "Monitor PO VO" in body
    assert reverse("monitor:organisation", args=[board.public_id]) in body


def _closing_cycle(coordinator, version, boards):
    today = timezone.localdate()
    from weerbaar.monitor import services

    cycle = services.open_cycle(
        actor=coordinator.user,
        coordinator=coordinator.organisation,
        name="Sluit binnenkort",
        kind=CycleKind.MONITOR,
        sectors=[sector("VO")],
        framework_version=version,
        opens_on=today - timedelta(days=20),
        closes_on=today + timedelta(days=5),
    )
    assert cycle.participations.count() == len(boards)
    return cycle


def test_send_reminders_now_reminds_each_unfinished_participant_once(
    client, monitor_world, django_capture_on_commit_callbacks
):
    cycle = _closing_cycle(monitor_world.coordinator, monitor_world.version, monitor_world.vo_boards)
    client.force_login(monitor_world.coordinator.user)
    url = reverse("monitor:cycle_remind", args=[cycle.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert Reminder.objects.filter(participation__cycle=cycle).count() == 6
    # The open cycle of the world closes later: its participants are not reminded now.
    assert not Reminder.objects.filter(participation__cycle=monitor_world.cycle).exists()
    # One e-mail per board with people to remind (the sixth VO board has nobody yet).
    sent = len(mail.outbox)
    assert sent == 5
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == sent
    assert Reminder.objects.filter(participation__cycle=cycle).count() == 6


def test_only_the_cycles_coordinator_can_ask_for_its_reminders(client, monitor_world):
    cycle = _closing_cycle(monitor_world.coordinator, monitor_world.version, monitor_world.vo_boards)
    other = OrganisationFactory(
        name="Andere coordinatie",
        kind=OrganisationKind.SECTOR_ORGANISATION,
        sector=None,
        board_number="",
    )
    other.served_sectors.set([sector("VO")])
    client.force_login(member(Role.SECTOR_COORDINATOR, other).user)
    before = AuditEntry.objects.count()
    assert client.post(reverse("monitor:cycle_remind", args=[cycle.public_id])).status_code == 404
    assert not Reminder.objects.exists()
    assert AuditEntry.objects.count() == before


def test_the_reminder_command_sends_each_reminder_once(monitor_world, django_capture_on_commit_callbacks):
    _closing_cycle(monitor_world.coordinator, monitor_world.version, monitor_world.vo_boards)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert "Reminders sent: 6." in out.getvalue()
    assert len(mail.outbox) == 5  # the sixth VO board has nobody to remind yet
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=again)
    assert "Reminders sent: 0." in again.getvalue()
    assert len(mail.outbox) == 5


def test_the_ibp_officer_records_a_basic_measure_and_the_soc_connection(client, monitor_world):
    board = monitor_world.planted
    client.force_login(monitor_world.planted_officer.user)
    response = client.post(
        reverse("monitor:measure_edit", args=[board.public_id, "MFA"]),
        {
            "state": MeasureState.IN_PLACE,
            "as_of": timezone.localdate().isoformat(),
            "evidence": "Afgedwongen voor iedereen",
        },
    )
    assert response.status_code == 302
    status = MeasureStatus.objects.get(organisation=board, measure__code="MFA")
    assert status.state == MeasureState.IN_PLACE
    planned = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        reverse("monitor:soc_edit", args=[board.public_id]),
        {"status": SocStatus.PLANNED, "provider": "SOC Noord", "planned_on": planned},
    )
    assert response.status_code == 302
    assert SocConnection.objects.get(organisation=board).planned_on.isoformat() == planned
    page = client.get(reverse("monitor:organisation", args=[board.public_id])).content.decode()
    assert "Afgedwongen voor iedereen" in page
    assert "SOC Noord" in page


def test_an_invalid_soc_connection_is_explained_and_changes_nothing(client, monitor_world):
    board = monitor_world.planted
    client.force_login(monitor_world.planted_officer.user)
    response = client.post(
        reverse("monitor:soc_edit", args=[board.public_id]),
        {"status": SocStatus.PLANNED, "provider": "X"},
    )
    assert response.status_code == 400
    assert "data-error-summary" in response.content.decode()
    assert not SocConnection.objects.filter(organisation=board).exists()


def test_the_supervisory_board_reads_measures_but_cannot_change_them(client, monitor_world):
    board = monitor_world.planted
    client.force_login(member(Role.SUPERVISORY_BOARD, board).user)
    page = client.get(reverse("monitor:organisation", args=[board.public_id]))
    assert page.status_code == 200
    assert nl("Basic measures") in page.content.decode()
    assert "4,46" not in page.content.decode()  # no assessment reach
    response = client.post(
        reverse("monitor:measure_edit", args=[board.public_id, "MFA"]),
        {"state": MeasureState.IN_PLACE},
    )
    assert response.status_code == 404
    assert not MeasureStatus.objects.filter(organisation=board).exists()
    assert BasicMeasure.objects.filter(code="MFA").exists()
