"""Central DPIA → local DPIA: building on it, the workflow, locking, versions, and a central
change that flags the local DPIA for review exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import member
from tests.privacy.conftest import make_central
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.privacy import selectors, services
from weerbaar.privacy.choices import CentralStatus, LocalStatus
from weerbaar.privacy.models import CentralChange, LocalDPIA, PrivacyNotice, ReviewFlag

TODAY = timezone.localdate


def _build(world, central=None):
    dpia = services.start_local_dpia(
        actor=world.dpo_a.user, organisation=world.board_a, title="Leerplatform", central=central or world.central
    )
    return dpia


def _accept(world, dpia):
    services.record_advice(actor=world.dpo_a.user, dpia=dpia, advice="Go ahead", advised_on=TODAY())
    return services.accept_local_dpia(
        actor=world.board_member_a.user,
        dpia=dpia,
        accepted_on=TODAY(),
        review_due=TODAY() + timedelta(days=365),
        residual_accepted="R1 remains medium; accepted because the vendor encrypts.",
    )


def test_local_dpia_starts_from_the_central_one(world):
    dpia = _build(world)
    assert dpia.product == world.product
    assert [r.central_risk.code for r in dpia.risks.all()] == ["R1", "R2", "R3"]
    assert all(r.applies for r in dpia.risks.all())
    assert dpia.measures.first().title == "Turn off diagnostic data"
    # The pre-scan sees the product's transfer to the US on standard clauses.
    assert services.prescan_of(dpia).dtia is True


def test_tick_risks_add_own_risks_and_record_measures(world):
    dpia = _build(world)
    r3 = dpia.risks.get(central_risk__code="R3")
    services.set_local_risk(
        actor=world.dpo_a.user, risk_row=r3, applies=False, likelihood="low", impact="low", residual="low"
    )
    own = services.add_local_risk(
        actor=world.dpo_a.user,
        dpia=dpia,
        title="Teachers use private accounts",
        likelihood="high",
        impact="high",
        residual="medium",
    )
    assert own.level == "high"
    measure = dpia.measures.first()
    with pytest.raises(ValidationError):
        services.set_local_measure(actor=world.dpo_a.user, measure=measure, implemented=True)
    with pytest.raises(ValidationError):
        services.set_local_measure(
            actor=world.dpo_a.user, measure=measure, implemented=True, implemented_on=TODAY() + timedelta(days=2)
        )
    services.set_local_measure(actor=world.dpo_a.user, measure=measure, implemented=True, implemented_on=TODAY())
    measure.refresh_from_db()
    assert measure.implemented_on == TODAY()
    assert not dpia.risks.get(pk=r3.pk).applies
    with pytest.raises(ValidationError):
        services.add_local_risk(
            actor=world.dpo_a.user, dpia=dpia, title="x", likelihood="low", impact="low", residual="high"
        )


def test_workflow_draft_advice_acceptance_and_lock(world):
    dpia = _build(world)
    # The board cannot accept before the DPO advised.
    with pytest.raises(ValidationError):
        services.accept_local_dpia(
            actor=world.board_member_a.user, dpia=dpia, accepted_on=TODAY(), review_due=TODAY() + timedelta(days=30)
        )
    # Only the DPO advises; the IBP officer may edit but not advise.
    with pytest.raises(NotPermitted):
        services.record_advice(actor=world.officer_a.user, dpia=dpia, advice="ok", advised_on=TODAY())
    services.record_advice(actor=world.dpo_a.user, dpia=dpia, advice="Go ahead", advised_on=TODAY())
    # Only a board member accepts.
    with pytest.raises(NotPermitted):
        services.accept_local_dpia(
            actor=world.dpo_a.user, dpia=dpia, accepted_on=TODAY(), review_due=TODAY() + timedelta(days=30)
        )
    # Residual medium risk left: the board must say it accepts it.
    with pytest.raises(ValidationError) as exc:
        services.accept_local_dpia(
            actor=world.board_member_a.user, dpia=dpia, accepted_on=TODAY(), review_due=TODAY() + timedelta(days=30)
        )
    assert "residual_accepted" in exc.value.message_dict
    dpia = services.accept_local_dpia(
        actor=world.board_member_a.user,
        dpia=dpia,
        accepted_on=TODAY(),
        review_due=TODAY() + timedelta(days=365),
        residual_accepted="R1 accepted",
    )
    assert dpia.status == LocalStatus.ACCEPTED
    assert selectors.is_current(dpia)
    with pytest.raises(ValidationError):
        services.update_local_dpia(actor=world.dpo_a.user, dpia=dpia, lawfulness="changed")
    with pytest.raises(ValidationError):
        services.add_local_risk(
            actor=world.dpo_a.user, dpia=dpia, title="late", likelihood="low", impact="low", residual="low"
        )


def test_dates_out_of_order_are_refused_and_nothing_changes(world):
    dpia = _build(world)
    services.record_advice(actor=world.dpo_a.user, dpia=dpia, advice="ok", advised_on=TODAY())
    with pytest.raises(ValidationError) as exc:
        services.accept_local_dpia(
            actor=world.board_member_a.user,
            dpia=dpia,
            accepted_on=TODAY() - timedelta(days=1),
            review_due=TODAY() + timedelta(days=30),
            residual_accepted="x",
        )
    assert "accepted_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.accept_local_dpia(
            actor=world.board_member_a.user, dpia=dpia, accepted_on=TODAY(), review_due=TODAY(), residual_accepted="x"
        )
    assert "review_due" in exc.value.message_dict
    dpia.refresh_from_db()
    assert dpia.status == LocalStatus.ADVISED
    assert dpia.accepted_on is None


def test_editing_after_advice_sends_back_to_draft(world):
    dpia = _build(world)
    services.record_advice(actor=world.dpo_a.user, dpia=dpia, advice="ok", advised_on=TODAY())
    services.update_local_dpia(actor=world.officer_a.user, dpia=dpia, lawfulness="Public task of the school")
    dpia.refresh_from_db()
    assert dpia.status == LocalStatus.DRAFT
    assert dpia.advised_on is None


def test_building_on_a_withdrawn_central_version_is_refused(world):
    services.withdraw_central(actor=world.coordinator.user, central=world.central)
    with pytest.raises(ValidationError) as exc:
        _build(world)
    assert "withdrawn" in str(exc.value)
    assert not LocalDPIA.objects.exists()


def test_another_organisations_dpo_gets_nothing(world):
    dpia = _build(world)
    from weerbaar.core.permissions import Action

    assert not LocalDPIA.objects.visible_to(world.dpo_b.user, Action.PRIVACY_VIEW).exists()
    with pytest.raises(NotPermitted):
        services.update_local_dpia(actor=world.dpo_b.user, dpia=dpia, lawfulness="mine now")
    with pytest.raises(NotPermitted):
        services.start_local_dpia(actor=world.dpo_b.user, organisation=world.board_a, title="x")
    # The board's DPO reaches the board's school.
    assert LocalDPIA.objects.visible_to(world.dpo_a.user, Action.PRIVACY_VIEW).count() == 1


def test_central_change_flags_review_and_notifies_exactly_once(world, django_capture_on_commit_callbacks):
    services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=world.product)
    services.record_use(actor=world.dpo_b.user, organisation=world.board_b, product=world.product)
    school_dpo = member(Role.DPO, world.school_a)
    services.record_use(actor=school_dpo.user, organisation=world.school_a, product=world.product)
    dpia = _accept(world, _build(world))
    due_before = dpia.review_due
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = make_central(world.coordinator.user, world.product, advice="high")
    dpia.refresh_from_db()
    assert dpia.needs_review
    assert dpia.review_due < due_before  # sooner
    assert not selectors.is_current(dpia)
    change = CentralChange.objects.get(central=new)
    assert ReviewFlag.objects.filter(change=change).count() == 3
    notices_a = PrivacyNotice.objects.filter(user=world.dpo_a.user)
    # The board's DPO hears about the board and about its school, once each.
    assert sorted(notices_a.values_list("organisation__name", flat=True)) == ["School Alfa", "Stichting Alfa"]
    sent = len(mail.outbox)
    assert sent >= 3
    world.central.refresh_from_db()
    assert world.central.status == CentralStatus.SUPERSEDED
    # The task runs again (a retry, a second worker): nobody hears twice.
    assert services.announce_change(change_id=change.pk) == 0
    assert ReviewFlag.objects.filter(change=change).count() == 3
    assert PrivacyNotice.objects.filter(user=world.dpo_a.user).count() == 2
    assert len(mail.outbox) == sent


def test_advice_change_is_announced_too(world, django_capture_on_commit_callbacks):
    services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=world.product)
    dpia = _accept(world, _build(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.change_advice(actor=world.coordinator.user, central=world.central, advice="high", advice_text="Stop")
    dpia.refresh_from_db()
    assert dpia.needs_review
    assert PrivacyNotice.objects.filter(user=world.dpo_a.user).count() == 1


def test_new_version_builds_on_the_new_central_and_keeps_our_records(world, django_capture_on_commit_callbacks):
    dpia = _build(world)
    r3 = dpia.risks.get(central_risk__code="R3")
    services.set_local_risk(
        actor=world.dpo_a.user, risk_row=r3, applies=False, likelihood="low", impact="low", residual="low"
    )
    services.add_local_risk(
        actor=world.dpo_a.user, dpia=dpia, title="Own risk", likelihood="low", impact="medium", residual="low"
    )
    m1 = dpia.measures.get(school_measure__code="M1")
    services.set_local_measure(actor=world.dpo_a.user, measure=m1, implemented=True, implemented_on=TODAY())
    dpia = _accept(world, dpia)
    with django_capture_on_commit_callbacks(execute=True):
        newer = make_central(world.coordinator.user, world.product)
    second = services.new_local_version(actor=world.dpo_a.user, dpia=dpia)
    assert second.number == 2
    assert second.central == newer
    assert second.status == LocalStatus.DRAFT
    assert not second.risks.get(central_risk__code="R3").applies
    assert second.risks.filter(title="Own risk", central_risk__isnull=True).exists()
    assert second.measures.get(school_measure__code="M1").implemented
    assert _accept(world, second).status == LocalStatus.ACCEPTED
    dpia.refresh_from_db()
    assert dpia.status == LocalStatus.SUPERSEDED


def test_json_export_has_the_four_parts(world):
    dpia = _build(world)
    services.update_local_dpia(
        actor=world.dpo_a.user,
        dpia=dpia,
        ap_types=["profiling"],
        edpb_criteria=["vulnerable"],
        legal_basis="public_task",
    )
    data = services.local_json(LocalDPIA.objects.get(pk=dpia.pk))
    assert set(data) >= {"description", "lawfulness", "risks", "measures", "prescan"}
    assert data["prescan"]["dpia"] == "required"
    assert data["prescan"]["dtia_needed"] is True
    assert len(data["risks"]) == 3
