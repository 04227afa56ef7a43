"""The stored sector figures (`SectorFigures`) follow their sources: a change to anything they
count queues their refresh, once, whichever app or service made it."""

from django.db.models.signals import post_delete, post_save


def _changed(sender, **kwargs) -> None:
    from weerbaar.monitor.services import queue_sector_figures_refresh

    queue_sector_figures_refresh()


def _assessment_saved(sender, instance, **kwargs) -> None:
    from weerbaar.assessments.choices import AssessmentStatus

    # Only final assessments count (audits); drafts are saved far more often.
    if instance.status == AssessmentStatus.FINAL:
        _changed(sender)
        _queue_cycle_refresh(instance)


def _queue_cycle_refresh(assessment) -> None:
    """An assessment that takes part in a cycle became (or stayed) final: once the transaction
    holds, refresh that cycle's benchmark for this organisation only. The dashboards' staleness
    check and the daily refresh remain as the safety net for changes made without save()."""
    from django.db import transaction

    from weerbaar.monitor.models import Participation
    from weerbaar.monitor.tasks import refresh_cycle_task

    for cycle_id, organisation_id in Participation.objects.filter(assessment_id=assessment.pk).values_list(
        "cycle_id", "organisation_id"
    ):
        transaction.on_commit(
            lambda cycle_id=cycle_id, organisation_id=organisation_id: refresh_cycle_task.enqueue(
                cycle_id, [organisation_id]
            )
        )


def connect() -> None:
    from weerbaar.assessments.models import Assessment, AuditPolicy
    from weerbaar.awareness.models import Activity, GroupParticipation
    from weerbaar.governance.models import AnnualReportParagraph, SecurityBudget
    from weerbaar.monitor.models import Ambition, BasicMeasure, MeasureStatus, SocConnection
    from weerbaar.organisations.models import Organisation

    sources = [
        MeasureStatus,
        SocConnection,
        BasicMeasure,
        Ambition,
        AuditPolicy,
        Organisation,
        Activity,
        GroupParticipation,
        AnnualReportParagraph,
        SecurityBudget,
    ]
    for model in sources:
        post_save.connect(_changed, sender=model, dispatch_uid=f"monitor-figures-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"monitor-figures-delete-{model._meta.label}")
    post_save.connect(_assessment_saved, sender=Assessment, dispatch_uid="monitor-figures-assessment")
    post_delete.connect(_changed, sender=Assessment, dispatch_uid="monitor-figures-assessment-delete")
