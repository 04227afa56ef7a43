"""The CERT incident desk: reports by institutions, their legal clocks, the CERT's handling
(timeline, indicators, tasks, links) and the anonymised lessons learned.

Who sees what follows two rules together (DESIGN rule 5):

1. the organisation reach of core.permissions: the reporting institution (and its board) through
   its own roles, and the CERT the report went to, for organisations in its constituency;
2. TLP 2.0 on every record: CLEAR, GREEN and AMBER stay between the institution and its CERT;
   AMBER+STRICT (and an entry marked internal) stays with the side that wrote it; RED only for
   the people named on it and its author.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import PublicIdModel, TimestampedModel
from weerbaar.core.permissions import Action, Reach, roles_allowing
from weerbaar.core.tenancy import ScopedQuerySet, visible_organisations
from weerbaar.incidents.choices import (
    Category,
    Channel,
    ClockKind,
    DataRisk,
    Encryption,
    EntryKind,
    IncidentStatus,
    IndicatorType,
    LessonStatus,
    ReminderStage,
    Severity,
    Side,
    Tlp,
)
from weerbaar.organisations.models import Membership, Organisation

SHARED_TLPS = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def institution_organisations(user, action: Action) -> models.QuerySet:
    """Organisations the user reaches for `action` through a role of their own institution (their
    organisation and, for a board, its schools): the institution side of an incident."""
    own = [role for role, reach in roles_allowing(action).items() if reach in (Reach.OWN, Reach.TREE)]
    tree = [role for role, reach in roles_allowing(action).items() if reach == Reach.TREE]
    held = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
    condition = Q(pk__in=held.filter(role__in=own).values("organisation_id"))
    if tree:
        condition |= Q(parent_id__in=held.filter(role__in=tree).values("organisation_id"))
    return Organisation.objects.filter(condition, is_active=True)


def cert_homes(user, action: Action) -> models.QuerySet:
    """The CERTs in which the user holds a role that reaches a constituency for `action`."""
    roles = [role for role, reach in roles_allowing(action).items() if reach == Reach.CONSTITUENCY]
    return Membership.objects.filter(user=user, is_active=True, role__in=roles, organisation__is_active=True).values(
        "organisation_id"
    )


def _sides(user, action: Action, prefix: str = "") -> tuple[Q, Q]:
    """(institution side, CERT side) of the incidents at `prefix` for this user."""
    institution = Q(**{f"{prefix}organisation__in": institution_organisations(user, action).values("pk")})
    cert = Q(
        **{
            f"{prefix}cert__in": cert_homes(user, action),
            f"{prefix}organisation__in": visible_organisations(user, action).values("pk"),
        }
    ) & ~Q(**{f"{prefix}status": IncidentStatus.DRAFT})
    return institution, cert


class IncidentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """Incidents within the user's organisation reach that their TLP label lets them read."""
        if not _signed_in(user):
            return self.none()
        institution, cert = _sides(user, action)
        named = Q(reported_by=user) | Q(
            pk__in=Incident.named_people.through.objects.filter(user=user).values("incident_id")
        )
        # Shared labels for both sides, AMBER+STRICT for the institution only, RED for named people
        # on either side: grouped by side, so that each side's subqueries appear once in the SQL
        # (they are built and compiled for every copy, and this filter is nested in most reads).
        red_and_named = Q(tlp=Tlp.RED) & named
        return self.filter(
            (institution & (Q(tlp__in=(*SHARED_TLPS, Tlp.AMBER_STRICT)) | red_and_named))
            | (cert & (Q(tlp__in=SHARED_TLPS) | red_and_named))
        )

    def submitted(self):
        return self.exclude(status=IncidentStatus.DRAFT)


class Incident(PublicIdModel, TimestampedModel):
    """A cyber incident or data breach as an institution reported it, and its handling by the
    CERT whose constituency holds the institution."""

    tenant_field = "organisation"

    # No index of their own: the (organisation, status) and (cert, status) indexes serve every
    # lookup by either, and each index is one more write for every report taken in.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("organisation"),
        db_index=False,
    )
    cert = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_incidents",
        verbose_name=_("CERT"),
        db_index=False,
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.DRAFT,
    )
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    named_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("people who may read it (TLP:RED)"),
    )

    # What happened.
    title = models.CharField(_("short title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    category = models.CharField(_("kind of incident"), max_length=40, choices=Category.choices, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    detected_at = models.DateTimeField(_("noticed"), null=True, blank=True)
    aware_at = models.DateTimeField(_("became aware"), null=True, blank=True)
    ongoing = models.BooleanField(_("still going on"), default=True)
    systems_affected = models.TextField(_("systems affected"), blank=True)
    suspected_malicious = models.BooleanField(_("suspected to be a deliberate or unlawful act"), default=False)
    cross_border = models.BooleanField(_("may affect other countries"), default=False)

    # Impact on teaching.
    teaching_hours_lost = models.PositiveIntegerField(_("teaching hours disrupted"), null=True, blank=True)
    pupils_affected = models.PositiveIntegerField(_("pupils or students affected"), null=True, blank=True)
    staff_affected = models.PositiveIntegerField(_("staff affected"), null=True, blank=True)

    # Personal data (the data-breach part).
    personal_data_involved = models.BooleanField(_("personal data involved"), default=False)
    personal_data_categories = models.JSONField(_("kinds of personal data"), default=list, blank=True)
    data_subject_groups = models.JSONField(_("groups of people concerned"), default=list, blank=True)
    data_subjects_count = models.PositiveIntegerField(_("number of people concerned"), null=True, blank=True)
    records_count = models.PositiveIntegerField(_("number of records"), null=True, blank=True)
    breach_nature = models.JSONField(_("what happened to the data"), default=list, blank=True)
    data_encrypted = models.CharField(
        _("data unreadable for others"), max_length=8, choices=Encryption.choices, blank=True
    )
    personal_data_risk = models.CharField(
        _("risk for the people concerned"), max_length=8, choices=DataRisk.choices, blank=True
    )
    processor_involved = models.CharField(_("supplier or processor involved"), max_length=200, blank=True)

    # Ransomware.
    ransomware = models.BooleanField(_("ransomware"), default=False)
    ransom_demanded = models.BooleanField(_("ransom demanded"), default=False)
    ransom_paid = models.BooleanField(_("ransom paid"), default=False)

    # The reporting official (the Cbw asks for these details in the early warning).
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_role = models.CharField(_("function"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)

    # Frozen when the report is submitted, so a later change of the setting does not move clocks.
    nis2_applies = models.BooleanField(_("NIS2 applies"), default=False)

    # Handling by the CERT.
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analyst"),
    )
    root_cause = models.TextField(_("cause"), blank=True)
    mitigations = models.TextField(_("measures taken"), blank=True)
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    intermediate_requested_at = models.DateTimeField(null=True, blank=True)
    # When the CERT's analysts were told of the report: set once, so that a task run twice (or
    # a report sent again with the same key) tells them once.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The API's intake: the key a client sent with the report (Idempotency-Key) and a digest of
    # what it sent, so that sending the same report again after a lost answer finds the report
    # already made instead of making a second, and the same key with other content is refused.
    intake_key = models.CharField(max_length=100, blank=True, editable=False)
    intake_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["organisation", "status"], name="incident_org_status"),
            models.Index(fields=["cert", "status"], name="incident_cert_status"),
            # A plain index: status is matched whole, never with LIKE (which db_index adds for).
            models.Index(fields=["status"], name="incident_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "intake_key"],
                condition=~Q(intake_key=""),
                name="incident_intake_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """A short reference for letters and e-mails; the full id stays in the links."""
        return str(self.public_id)[:8].upper()

    @property
    def is_draft(self) -> bool:
        return self.status == IncidentStatus.DRAFT


class IncidentSettings(TimestampedModel):
    """Per organisation: whether the NIS2 reporting duties apply (universities and universities of
    applied sciences under the Cyberbeveiligingswet; others may choose to follow them)."""

    tenant_field = "organisation"

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="incident_settings")
    nis2_applies = models.BooleanField(_("NIS2 reporting duties apply"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident settings")
        verbose_name_plural = _("incident settings")

    def __str__(self) -> str:
        return f"{self.organisation}: NIS2 {self.nis2_applies}"


class MarkedQuerySet(ScopedQuerySet):
    """Records on an incident that carry their own TLP label and the side that wrote them."""

    def visible_to(self, user, action):
        if not _signed_in(user):
            return self.none()
        institution, cert = _sides(user, action, prefix="incident__")
        incident_visible = Q(incident__in=Incident.objects.visible_to(user, action).values("pk"))
        own_side = (Q(author_side=Side.INSTITUTION) & institution) | (Q(author_side=Side.CERT) & cert)
        restricted = Q(tlp=Tlp.AMBER_STRICT)
        if any(f.name == "internal" for f in self.model._meta.fields):
            restricted |= Q(internal=True)
        named = Q(author=user) | Q(
            pk__in=self.model.named_people.through.objects.filter(user=user).values(f"{self.model._meta.model_name}_id")
        )
        return self.filter(
            incident_visible
            & ((Q(tlp=Tlp.RED) & named) | (~Q(tlp=Tlp.RED) & restricted & own_side) | (~Q(tlp=Tlp.RED) & ~restricted))
        )


class TimelineEntry(PublicIdModel):
    """Something that happened or was done in the handling of an incident. CERT entries are
    shared with the reporter unless marked internal."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices, default=EntryKind.NOTE)
    body = models.TextField(_("text"))
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_side = models.CharField(max_length=12, choices=Side.choices)
    internal = models.BooleanField(_("internal to the CERT"), default=False)
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    named_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "created_at"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:60]}"


class Indicator(PublicIdModel):
    """An indicator of compromise seen in the incident (an address, a domain, a file hash, …)."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="indicators")
    type = models.CharField(_("type"), max_length=12, choices=IndicatorType.choices)
    value = models.CharField(_("value"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_side = models.CharField(max_length=12, choices=Side.choices)
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    named_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("indicator of compromise")
        verbose_name_plural = _("indicators of compromise")

    def __str__(self) -> str:
        return f"{self.type}: {self.value[:80]}"


class AttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        return self.filter(incident__in=Incident.objects.visible_to(user, action).values("pk"))


class Attachment(PublicIdModel):
    """A file that belongs to the report (a screenshot, a ransom note, a log excerpt), kept with
    its SHA-256 so that it can be shown to be unchanged."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="incidents/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class TaskQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """The CERT sees every task of its incidents; the institution the ones shared with it."""
        if not _signed_in(user):
            return self.none()
        institution, cert = _sides(user, action, prefix="incident__")
        incident_visible = Q(incident__in=Incident.objects.visible_to(user, action).values("pk"))
        return self.filter(incident_visible & (cert | (Q(shared=True) & institution)))


class IncidentTask(PublicIdModel, TimestampedModel):
    """A piece of work in handling an incident, for the CERT or shared with the institution."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    shared = models.BooleanField(_("shared with the institution"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class LinkQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """Only the CERT sees links: an institution must not learn of another's incident."""
        if not _signed_in(user):
            return self.none()
        handled = Incident.objects.visible_to(user, Action.INCIDENT_HANDLE).values("pk")
        return self.filter(incident__in=handled, related__in=handled)


class IncidentLink(models.Model):
    """Two incidents the CERT sees as related (the same campaign, the same supplier)."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    related = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("why they are related"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("related incident")
        verbose_name_plural = _("related incidents")
        constraints = [
            models.UniqueConstraint(fields=["incident", "related"], name="incidents_link_unique"),
            models.CheckConstraint(condition=~Q(incident=models.F("related")), name="incidents_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} ~ {self.related_id}"


class ClockRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        return self.filter(incident__in=Incident.objects.visible_to(user, action).values("pk"))


class ClockRecord(models.Model):
    """When and how one reporting duty was met: the early warning sent through the NCSC portal,
    the AP notified through its form, the parents informed by letter."""

    tenant_field = "incident__organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clock_records")
    kind = models.CharField(_("duty"), max_length=24, choices=ClockKind.choices)
    met_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("how"), max_length=16, choices=Channel.choices)
    reference = models.CharField(_("reference of the authority"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    late_reason = models.TextField(_("reason for the delay"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ClockRecordQuerySet.as_manager()

    class Meta:
        ordering = ["met_at"]
        verbose_name = _("reporting duty met")
        verbose_name_plural = _("reporting duties met")
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="incidents_clock_once")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class DeadlineReminder(models.Model):
    """A reminder sent for one deadline of one incident at one stage. The unique key is written
    before anything is sent, so a second worker, or a second run, sends nothing again."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=24, choices=ClockKind.choices)
    stage = models.CharField(max_length=12, choices=ReminderStage.choices)
    due_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "kind", "stage"], name="incidents_reminder_once")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.stage}"


class NoticeQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """A person's own notices, of incidents they may still read."""
        if not _signed_in(user):
            return self.none()
        return self.filter(user=user, incident__in=Incident.objects.visible_to(user, action).values("pk"))


class Notice(models.Model):
    """An in-app message to one person about one incident (a deadline, a request)."""

    tenant_field = "incident__organisation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="incident_notice_user")]

    def __str__(self) -> str:
        return self.message


class LessonQuerySet(ScopedQuerySet):
    def visible_to(self, user, action):
        """Lessons of incidents the user may read, published or not."""
        return self.filter(incident__in=Incident.objects.visible_to(user, action).values("pk"))

    def published_to(self, user):
        """Published lessons the user's community may read: CLEAR and GREEN for every member of
        the platform; AMBER for the CERT and the organisations of its constituency."""
        if not _signed_in(user):
            return self.none()
        memberships = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        if not memberships.exists():
            return self.none()
        in_constituency = Q(
            incident__cert__served_sectors__in=Organisation.objects.filter(
                pk__in=memberships.values("organisation_id")
            ).values("sector_id")
        ) | Q(incident__cert__in=memberships.values("organisation_id"))
        published = self.filter(status=LessonStatus.PUBLISHED)
        return published.filter(
            Q(tlp__in=(Tlp.CLEAR, Tlp.GREEN))
            | Q(pk__in=published.filter(Q(tlp=Tlp.AMBER) & in_constituency).values("pk"))
        )

    def readable_by(self, user):
        """Published lessons for the user's community and every lesson of their own incidents."""
        return self.filter(
            Q(pk__in=self.published_to(user).values("pk"))
            | Q(pk__in=self.visible_to(user, Action.INCIDENT_VIEW).values("pk"))
        )


class Lesson(PublicIdModel, TimestampedModel):
    """The anonymised evaluation of a closed incident that the institution and the CERT agree on,
    published to the sector so that others can learn from it."""

    tenant_field = "incident__organisation"

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="lesson")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what happened"))
    what_worked = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what could be better"), blank=True)
    recommendations = models.TextField(_("advice for other institutions"))
    tlp = models.CharField(_("TLP label"), max_length=16, choices=Tlp.choices, default=Tlp.GREEN)
    # Copied from the incident, so the published lesson can be found without reading the incident.
    category = models.CharField(_("kind of incident"), max_length=40, choices=Category.choices, blank=True)
    sector_code = models.CharField(_("sector"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LessonStatus.choices, default=LessonStatus.DRAFT)
    institution_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    institution_agreed_at = models.DateTimeField(null=True, blank=True)
    cert_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cert_agreed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")

    def __str__(self) -> str:
        return self.title
