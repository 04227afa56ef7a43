"""Awareness activities (campaigns, trainings, phishing simulations, crisis exercises), the
participation of groups of people in them, exercise findings linked to the one improvement plan,
the central training offer of sector coordinators with enrolments, and sent reminders."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from weerbaar.assessments.models import ImprovementAction
from weerbaar.awareness.choices import ActivityKind, PeopleGroup, ReminderKind, TrainingFormat
from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.tenancy import ScopedQuerySet
from weerbaar.organisations.models import Organisation, Sector


class Activity(PublicIdModel, TimestampedModel):
    """One awareness activity of an organisation. Phishing counts are filled for phishing
    simulations only, the scenario and the groups that took part for crisis exercises only."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="awareness_activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    held_on = models.DateField(_("date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # Trainings: after how many months the training should be repeated (none: once is enough).
    repeat_months = models.PositiveSmallIntegerField(_("repeat after (months)"), null=True, blank=True)
    # Phishing simulations.
    sent = models.PositiveIntegerField(_("e-mails sent"), null=True, blank=True)
    opened = models.PositiveIntegerField(_("opened"), null=True, blank=True)
    clicked = models.PositiveIntegerField(_("clicked"), null=True, blank=True)
    reported = models.PositiveIntegerField(_("reported"), null=True, blank=True)
    # Crisis exercises.
    scenario = models.TextField(_("scenario"), blank=True)
    groups = models.JSONField(_("who took part"), default=list, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    # The central course this activity follows, when it came from the sector's training offer.
    offer = models.ForeignKey(
        "TrainingOffer", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-created_at"]
        verbose_name = _("awareness activity")
        verbose_name_plural = _("awareness activities")
        indexes = [models.Index(fields=["organisation", "kind", "held_on"], name="awareness_org_kind_date")]
        constraints = [
            # The service gives the clear message; the database keeps the counts honest anyway.
            models.CheckConstraint(
                condition=Q(opened__isnull=True) | Q(sent__isnull=True) | Q(opened__lte=F("sent")),
                name="awareness_opened_le_sent",
            ),
            models.CheckConstraint(
                condition=Q(clicked__isnull=True) | Q(opened__isnull=True) | Q(clicked__lte=F("opened")),
                name="awareness_clicked_le_opened",
            ),
            models.CheckConstraint(
                condition=Q(reported__isnull=True) | Q(sent__isnull=True) | Q(reported__lte=F("sent")),
                name="awareness_reported_le_sent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GroupParticipation(TimestampedModel):
    """How many people of one group an activity invited and how many took part."""

    tenant_field = "activity__organisation"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    group = models.CharField(_("group"), max_length=24, choices=PeopleGroup.choices)
    people = models.PositiveIntegerField(_("people in the group"))
    invited = models.PositiveIntegerField(_("invited"))
    participated = models.PositiveIntegerField(_("took part"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "group"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["activity", "group"], name="awareness_participation_group"),
            models.CheckConstraint(condition=Q(invited__lte=F("people")), name="awareness_invited_le_people"),
            models.CheckConstraint(condition=Q(participated__lte=F("invited")), name="awareness_took_part_le_invited"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.group}"


class ExerciseFinding(PublicIdModel, TimestampedModel):
    """A finding of an exercise's evaluation. Its follow-up is an action in the organisation's one
    improvement plan (the same list as assessment gaps), so the finding points at that action."""

    tenant_field = "activity__organisation"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    action = models.OneToOneField(
        ImprovementAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="exercise_finding"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("exercise finding")
        verbose_name_plural = _("exercise findings")

    def __str__(self) -> str:
        return self.text[:80]


class TrainingOffer(PublicIdModel, TimestampedModel):
    """A course in the central training offer, published by a sector coordinator for the member
    organisations of one or more of the sectors it serves."""

    tenant_field = "coordinator"

    coordinator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_offers")
    sectors = models.ManyToManyField(Sector, related_name="training_offers", verbose_name=_("sectors"))
    title = models.CharField(_("course"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=24, choices=PeopleGroup.choices)
    format = models.CharField(_("format"), max_length=16, choices=TrainingFormat.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    published = models.BooleanField(_("published"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("training in the central offer")
        verbose_name_plural = _("central training offer")

    def __str__(self) -> str:
        return self.title


class Enrolment(PublicIdModel, TimestampedModel):
    """An organisation signing people up for a course of the central offer."""

    tenant_field = "organisation"

    offer = models.ForeignKey(TrainingOffer, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_enrolments")
    places = models.PositiveIntegerField(_("places"))
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["offer__starts_on"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["offer", "organisation"], name="awareness_enrolment_once")]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.organisation_id}"


class AwarenessReminder(models.Model):
    """A reminder sent about one activity (the last exercise, or a training to repeat). The unique
    key is written before sending, so a second run, or a second worker, sends nothing."""

    tenant_field = "organisation"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="awareness_reminders")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "kind"], name="awareness_reminder_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind}"
