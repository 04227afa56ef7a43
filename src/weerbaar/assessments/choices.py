from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentKind(models.TextChoices):
    SELF = "self", _("Self-assessment")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    EXTERNAL_AUDIT = "external_audit", _("External audit")
    PEER_REVIEW = "peer_review", _("Peer review")


# Kinds that an assigned reviewer checks before the assessment becomes final.
REVIEWED_KINDS = frozenset({AssessmentKind.INTERNAL_AUDIT, AssessmentKind.EXTERNAL_AUDIT, AssessmentKind.PEER_REVIEW})


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    FINAL = "final", _("Final")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class ActionSource(models.TextChoices):
    ASSESSMENT_GAP = "assessment_gap", _("Gap in an assessment")
    AUDIT_FINDING = "audit_finding", _("Audit finding")
    EXERCISE = "exercise", _("Crisis exercise")
    OTHER = "other", _("Other")
