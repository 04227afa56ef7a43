"""Reminders that the paragraph is due: sent once, even when the worker runs twice."""

from datetime import date

from django.core import mail

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.governance import services
from weerbaar.governance.models import AnnualReportParagraph, ParagraphReminder, SectorParagraphSettings
from weerbaar.governance.tasks import send_paragraph_reminders_task


def test_sent_once_within_the_window(db, django_capture_on_commit_callbacks):
    board = OrganisationFactory(name="Bestuur Herinnering", sector=sector("PO"))
    member(Role.IBP_OFFICER, board, email="ibp@herinnering.test")
    member(Role.BOARD_MEMBER, board, email="bestuur@herinnering.test")
    member(Role.SUPERVISORY_BOARD, board, email="rvt@herinnering.test")
    # School boards deliver by 1 July; the default window opens 30 days before.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_paragraph_reminders(today=date(2026, 5, 1)) == 0
        assert services.send_due_paragraph_reminders(today=date(2026, 6, 10)) == 1
        assert services.send_due_paragraph_reminders(today=date(2026, 6, 10)) == 0
        assert services.send_due_paragraph_reminders(today=date(2026, 6, 20)) == 0
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["bestuur@herinnering.test", "ibp@herinnering.test"]
    assert "2025" in mail.outbox[0].subject
    assert ParagraphReminder.objects.filter(organisation=board, year=2025).count() == 1


def test_the_worker_running_twice_sends_once(db, django_capture_on_commit_callbacks, monkeypatch):
    board = OrganisationFactory(name="Bestuur Dubbel", sector=sector("PO"))
    member(Role.IBP_OFFICER, board)
    from weerbaar.governance import services as governance_services

    original = governance_services.send_due_paragraph_reminders
    monkeypatch.setattr(governance_services, "send_due_paragraph_reminders", lambda: original(today=date(2026, 6, 25)))
    with django_capture_on_commit_callbacks(execute=True):
        send_paragraph_reminders_task.enqueue()
        send_paragraph_reminders_task.enqueue()
    assert len(mail.outbox) == 1


def test_approved_paragraphs_and_other_due_dates(db, django_capture_on_commit_callbacks):
    done = OrganisationFactory(name="Klaar", sector=sector("PO"))
    member(Role.IBP_OFFICER, done)
    AnnualReportParagraph.objects.create(organisation=done, year=2025, status="approved", text_nl="x")
    mbo = OrganisationFactory(name="ROC", sector=sector("MBO"), kind="institution")
    member(Role.IBP_OFFICER, mbo)
    SectorParagraphSettings.objects.create(sector=sector("MBO"), elements=["budget"], due_month=5, due_day=15)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_due_paragraph_reminders(today=date(2026, 5, 1))
    assert sent == 1
    assert ParagraphReminder.objects.get().organisation == mbo
