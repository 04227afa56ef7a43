"""API of the incident desk, on the same selectors and services as the pages: reporting (also as a
draft), the incident with its clocks, the CERT's handling, indicators, files, the STIX export,
lessons learned and the anonymised statistics."""

import threading

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.core.access import SIGNED_IN
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, visible_organisations
from weerbaar.incidents import selectors, services, stix
from weerbaar.incidents.choices import (
    BreachNature,
    Category,
    Channel,
    ClockKind,
    DataRisk,
    DataSubjectGroup,
    Encryption,
    IncidentStatus,
    IndicatorType,
    PersonalDataCategory,
    Severity,
    Side,
    Tlp,
)
from weerbaar.incidents.clocks import ClockState
from weerbaar.incidents.models import Incident, Lesson
from weerbaar.organisations.choices import SectorCode
from weerbaar.organisations.selectors import access_organisation

NO_REPORTING_ORGANISATION = _("No organisation with this id for which you may report incidents.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Your own unique key for this report (at most 100 characters), so that sending it again "
        "after a lost answer does not make a second report."
    ),
)
CLOCK_STATES = [
    ClockState.MET,
    ClockState.MET_LATE,
    ClockState.OPEN,
    ClockState.OVERDUE,
    ClockState.NO_DEADLINE,
]


# --- output --------------------------------------------------------------------------------------


class ClockSerializer(serializers.Serializer):
    """One legal clock: its deadline (null for 'without undue delay'), whether it was met and
    when."""

    kind = serializers.ChoiceField(choices=ClockKind.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=[(s, s) for s in CLOCK_STATES])
    provisional = serializers.BooleanField(help_text=_("The deadline counts from a step not taken yet: at the latest."))
    progress_if_ongoing = serializers.BooleanField(
        help_text=_("A progress report is due instead if the incident is still going on then.")
    )


class IncidentSerializer(serializers.ModelSerializer):
    """An incident as its reader may see it, with its legal clocks."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    cert = serializers.UUIDField(source="cert.public_id", read_only=True, allow_null=True, default=None)
    assigned_to = serializers.EmailField(source="assigned_to.email", read_only=True, allow_null=True, default=None)
    personal_data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonalDataCategory.choices), read_only=True
    )
    data_subject_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=DataSubjectGroup.choices), read_only=True
    )
    breach_nature = serializers.ListField(child=serializers.ChoiceField(choices=BreachNature.choices), read_only=True)
    clocks = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "organisation",
            "organisation_name",
            "cert",
            "status",
            "tlp",
            "title",
            "description",
            "category",
            "started_at",
            "detected_at",
            "aware_at",
            "ongoing",
            "systems_affected",
            "suspected_malicious",
            "cross_border",
            "teaching_hours_lost",
            "pupils_affected",
            "staff_affected",
            "personal_data_involved",
            "personal_data_categories",
            "data_subject_groups",
            "data_subjects_count",
            "records_count",
            "breach_nature",
            "data_encrypted",
            "personal_data_risk",
            "processor_involved",
            "ransomware",
            "ransom_demanded",
            "ransom_paid",
            "contact_name",
            "contact_role",
            "contact_phone",
            "contact_email",
            "nis2_applies",
            "severity",
            "assigned_to",
            "root_cause",
            "mitigations",
            "resolution_summary",
            "submitted_at",
            "triaged_at",
            "resolved_at",
            "closed_at",
            "intermediate_requested_at",
            "created_at",
            "clocks",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, incident) -> list[dict]:
        return clock_rows(incident, self.context)


def clock_rows(incident, context: dict) -> list[dict]:
    now = context.get("now") or timezone.now()
    records = context.get("records")
    if records is None:
        # The incident was read through a scoped selector; its own records come with it.
        records = {record.kind: record for record in incident.clock_records.all()}
    return [
        {
            "kind": c.kind,
            "due_at": c.due_at,
            "met_at": c.met_at,
            "state": c.state(now),
            "provisional": c.provisional,
            "progress_if_ongoing": c.progress_if_ongoing,
        }
        for c in selectors.clocks_of(incident, records, now)
    ]


class ReportReceiptSerializer(serializers.Serializer):
    """The answer to a new report: its id, where it went and the clocks that now run. Read the
    incident itself for everything else."""

    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    organisation = serializers.UUIDField(source="organisation.public_id")
    cert = serializers.UUIDField(source="cert.public_id", allow_null=True, default=None)
    nis2_applies = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    clocks = serializers.SerializerMethodField()

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, incident) -> list[dict]:
        return clock_rows(incident, self.context)


class TimelineEntrySerializer(serializers.Serializer):
    """A note or event on the timeline, with the side that wrote it and its TLP label."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    body = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    author_side = serializers.ChoiceField(choices=Side.choices)
    author = serializers.EmailField(source="author.email", allow_null=True, default=None)
    internal = serializers.BooleanField()
    tlp = serializers.ChoiceField(choices=Tlp.choices)


class IndicatorSerializer(serializers.Serializer):
    """An indicator of compromise with its TLP label."""

    id = serializers.UUIDField(source="public_id")
    type = serializers.ChoiceField(choices=IndicatorType.choices)
    value = serializers.CharField()
    description = serializers.CharField()
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    author_side = serializers.ChoiceField(choices=Side.choices)
    created_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    """A file of the report, with its SHA-256."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DutySerializer(serializers.Serializer):
    """When and how a reporting duty was met."""

    kind = serializers.ChoiceField(choices=ClockKind.choices)
    met_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    reference = serializers.CharField()
    note = serializers.CharField()
    late_reason = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    assignee = serializers.EmailField(source="assignee.email", allow_null=True, default=None)
    due_on = serializers.DateField(allow_null=True)
    shared = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)


class RelatedIncidentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    title = serializers.CharField()
    organisation_name = serializers.CharField(source="organisation.name")


class LessonSerializer(serializers.ModelSerializer):
    """A lesson learned: anonymised, agreed by the institution and its CERT."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    sector = serializers.CharField(source="sector_code", read_only=True)
    published = serializers.SerializerMethodField(
        help_text=_("Agreed by both sides and shared; a draft is seen only by the two sides.")
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "summary",
            "what_worked",
            "to_improve",
            "recommendations",
            "tlp",
            "category",
            "sector",
            "published",
            "published_at",
        ]
        read_only_fields = fields

    def get_published(self, lesson) -> bool:
        return lesson.published_at is not None


class StatisticsCellSerializer(serializers.Serializer):
    """One anonymised cell; a suppressed cell carries no numbers."""

    key = serializers.CharField(
        help_text=_("Month (YYYY-MM), sector code, category or severity; '' when not yet classified.")
    )
    suppressed = serializers.BooleanField()
    incidents = serializers.IntegerField(allow_null=True)
    median_hours_to_report = serializers.FloatField(allow_null=True)
    median_hours_to_resolve = serializers.FloatField(allow_null=True)


class StatisticsSerializer(serializers.Serializer):
    sectors = serializers.ListField(child=serializers.CharField())
    min_group = serializers.IntegerField(help_text=_("Organisations needed besides any reader for a cell to be shown."))
    total = StatisticsCellSerializer()
    month = StatisticsCellSerializer(many=True)
    sector = StatisticsCellSerializer(many=True)
    category = StatisticsCellSerializer(many=True)
    severity = StatisticsCellSerializer(many=True)


# --- input ---------------------------------------------------------------------------------------


class ReportFieldsSerializer(StrictSerializer):
    """The facts of a report. Times without an offset are read as Dutch time."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    detected_at = serializers.DateTimeField(required=False, allow_null=True)
    aware_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("When you became aware: the legal deadlines count from here."),
    )
    ongoing = serializers.BooleanField(required=False)
    systems_affected = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    suspected_malicious = serializers.BooleanField(required=False)
    cross_border = serializers.BooleanField(required=False)
    teaching_hours_lost = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    pupils_affected = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    staff_affected = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    personal_data_involved = serializers.BooleanField(required=False)
    personal_data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonalDataCategory.choices),
        required=False,
        max_length=20,
    )
    data_subject_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=DataSubjectGroup.choices),
        required=False,
        max_length=10,
    )
    data_subjects_count = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    records_count = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    breach_nature = serializers.ListField(
        child=serializers.ChoiceField(choices=BreachNature.choices), required=False, max_length=10
    )
    data_encrypted = serializers.ChoiceField(choices=Encryption.choices, required=False, allow_blank=True)
    personal_data_risk = serializers.ChoiceField(choices=DataRisk.choices, required=False, allow_blank=True)
    processor_involved = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ransomware = serializers.BooleanField(required=False)
    ransom_demanded = serializers.BooleanField(required=False)
    ransom_paid = serializers.BooleanField(required=False)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_role = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    tlp = serializers.ChoiceField(
        choices=Tlp.choices,
        required=False,
        help_text=_("A report cannot be TLP:AMBER+STRICT: that would keep it from the CERT."),
    )
    named_people = serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        max_length=50,
        help_text=_("For TLP:RED: e-mail addresses of the people who may read it (your institution or the CERT)."),
    )


class ReportCreateSerializer(ReportFieldsSerializer):
    """A new report. With `submit` true it goes to the CERT at once; otherwise it is kept as a
    draft."""

    organisation = serializers.UUIDField(help_text=_("The reporting school, board or institution."))
    submit = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=200)

    # DRF builds a serializer's fields anew for every instance (a deep copy of the ~40 declared
    # ones), which costs the intake more CPU than checking the report itself. The fields keep
    # nothing of a request while they check one, so each thread builds them once and reuses
    # them; per thread, so that two requests never share them at the same time.
    _built = threading.local()

    @property
    def fields(self):
        fields = getattr(self._built, "fields", None)
        if fields is None:
            template = ReportCreateSerializer.__new__(ReportCreateSerializer)
            serializers.Serializer.__init__(template)
            fields = self._built.fields = serializers.Serializer.fields.func(template)
        return fields


class TriageSerializer(StrictSerializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.ChoiceField(choices=Category.choices)


class AssignSerializer(StrictSerializer):
    analyst = serializers.EmailField(allow_null=True, help_text=_("An analyst of the CERT, or null for nobody."))


class StatusChangeSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    resolution_summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class EntryCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=20_000)
    tlp = serializers.ChoiceField(choices=Tlp.choices, default=Tlp.AMBER)
    internal = serializers.BooleanField(default=False, help_text=_("CERT only: not shared with the institution."))
    named_people = serializers.ListField(child=serializers.EmailField(), required=False, max_length=50, default=list)


class IndicatorCreateSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=IndicatorType.choices)
    value = serializers.CharField(max_length=1000)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    tlp = serializers.ChoiceField(choices=Tlp.choices, default=Tlp.AMBER)
    named_people = serializers.ListField(child=serializers.EmailField(), required=False, max_length=50, default=list)


class DutyCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ClockKind.choices)
    met_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    late_reason = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class TaskCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    assignee = serializers.EmailField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    shared = serializers.BooleanField(default=False)


class LinkCreateSerializer(StrictSerializer):
    related = serializers.UUIDField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class IntermediateRequestSerializer(StrictSerializer):
    message = serializers.CharField(max_length=20_000)


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=20)


class IncidentQuery(QuerySerializer):
    status = serializers.ChoiceField(choices=[("open", "open"), *IncidentStatus.choices], required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    organisation = serializers.UUIDField(required=False, help_text=_("Only the incidents of this organisation."))
    search = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("Part of the title or the organisation's name."),
    )


class LessonQuery(QuerySerializer):
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    sector = serializers.ChoiceField(choices=SectorCode.choices, required=False)


# --- helpers -------------------------------------------------------------------------------------


def _people(emails, incident_or_organisation) -> list:
    """Users for e-mail addresses, among the people who may be named (others are an error)."""
    if not emails:
        return []
    allowed = selectors.people_who_may_be_named(incident_or_organisation)
    people = list(allowed.filter(email__in=[e.lower() for e in emails]))
    if len(people) != len({e.lower() for e in emails}):
        raise ValidationError(
            {
                "named_people": [
                    _("Only people of the institution with an incident role and analysts of the CERT can be named.")
                ]
            }
        )
    return people


def _detail(incident, code=status.HTTP_200_OK) -> Response:
    fresh = (
        Incident.objects.prefetch_related("clock_records")
        .select_related("organisation", "cert", "assigned_to")
        .get(pk=incident.pk)
    )
    return Response(IncidentSerializer(fresh).data, status=code)


# --- viewsets ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Incidents you may see", parameters=[IncidentQuery]),
    retrieve=extend_schema(summary="One incident with its legal clocks"),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Incidents of your institution, or of your CERT's constituency, that their TLP label lets you
    read. Reporting and handling go through the same rules as the web pages."""

    access_rule = Action.INCIDENT_VIEW
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()  # the schema's model; requests read get_queryset()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(IncidentQuery)
        organisation_id = params.pop("organisation", None)
        organisation = (
            access_organisation(self.request.user, organisation_id, Action.INCIDENT_VIEW) if organisation_id else None
        )
        # Clock records are read with their incident, which the selector already scoped.
        return selectors.list_incidents(self.request.user, organisation=organisation, **params).prefetch_related(
            "clock_records"
        )

    def get_object(self):
        return selectors.access_incident(self.request.user, self.kwargs["id"])

    def _incident(self, action_: Action = Action.INCIDENT_VIEW) -> Incident:
        return selectors.access_incident(self.request.user, self.kwargs["id"], action_)

    @extend_schema(
        request=ReportCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ReportReceiptSerializer, 200: ReportReceiptSerializer},
        summary="Report an incident",
    )
    def create(self, request):
        """The answer 201 means the report is stored. With an `Idempotency-Key` header, sending
        the same report again (say after a time-out) answers 200 with the report made the first
        time instead of making a second; the same key with other content is refused."""
        data = self.validated(ReportCreateSerializer)
        organisation_id = data.pop("organisation")
        emails = data.pop("named_people", None)
        named = None
        if emails:
            # Only a TLP:RED report names people; the common report skips this lookup.
            named = _people(emails, self._reporting_organisation(organisation_id))
        try:
            receipt = services.receive_report(
                actor=request.user,
                organisation_id=organisation_id,
                submit=data.pop("submit"),
                named_people=named,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                **data,
            )
        except NotPermitted:
            raise ValidationError({"organisation": [NO_REPORTING_ORGANISATION]}) from None
        incident = receipt.incident
        # A new incident has no duties recorded yet: its clocks need no query.
        records = {} if not receipt.replayed else None
        body = ReportReceiptSerializer(incident, context={"now": timezone.now(), "records": records}).data
        return Response(body, status=status.HTTP_200_OK if receipt.replayed else status.HTTP_201_CREATED)

    def _reporting_organisation(self, organisation_id):
        try:
            return selectors.access_reporting_organisation(self.request.user, organisation_id)
        except Http404:
            raise ValidationError({"organisation": [NO_REPORTING_ORGANISATION]}) from None

    @extend_schema(
        request=ReportFieldsSerializer,
        responses=IncidentSerializer,
        summary="Complete or update a report",
    )
    def partial_update(self, request, id=None):
        incident = self._incident(Action.INCIDENT_REPORT)
        data = self.validated(ReportFieldsSerializer)
        named = _people(data.pop("named_people"), incident) if "named_people" in data else None
        services.update_report(actor=request.user, incident=incident, named_people=named, **data)
        return _detail(incident)

    @extend_schema(request=None, responses=IncidentSerializer, summary="Send a draft report to the CERT")
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        incident = self._incident(Action.INCIDENT_REPORT)
        services.submit_report(actor=request.user, incident=incident)
        return _detail(incident)

    @extend_schema(request=TriageSerializer, responses=IncidentSerializer, summary="Triage (CERT)")
    @action(detail=True, methods=["post"])
    def triage(self, request, id=None):
        incident = self._incident(Action.INCIDENT_HANDLE)
        services.triage(actor=request.user, incident=incident, **self.validated(TriageSerializer))
        return _detail(incident)

    @extend_schema(
        request=AssignSerializer,
        responses=IncidentSerializer,
        summary="Assign to an analyst (CERT)",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, id=None):
        incident = self._incident(Action.INCIDENT_HANDLE)
        email = self.validated(AssignSerializer)["analyst"]
        analyst = None
        if email:
            analyst = selectors.cert_analysts(incident.cert).filter(email=email.lower()).first()
            if analyst is None:
                raise ValidationError({"analyst": [_("Choose an analyst of this CERT.")]})
        services.assign(actor=request.user, incident=incident, analyst=analyst)
        return _detail(incident)

    @extend_schema(
        request=StatusChangeSerializer,
        responses=IncidentSerializer,
        summary="Change the status (CERT)",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, id=None):
        incident = self._incident(Action.INCIDENT_HANDLE)
        services.change_status(actor=request.user, incident=incident, **self.validated(StatusChangeSerializer))
        return _detail(incident)

    @extend_schema(
        request=IntermediateRequestSerializer,
        responses=IncidentSerializer,
        summary="Ask the institution for an intermediate report (CERT)",
    )
    @action(detail=True, methods=["post"], url_path="intermediate-report")
    def intermediate_report(self, request, id=None):
        incident = self._incident(Action.INCIDENT_HANDLE)
        services.request_intermediate_report(
            actor=request.user, incident=incident, **self.validated(IntermediateRequestSerializer)
        )
        return _detail(incident)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=TimelineEntrySerializer(many=True),
        summary="The timeline entries you may read",
    )
    @extend_schema(
        methods=["post"],
        request=EntryCreateSerializer,
        responses={201: TimelineEntrySerializer},
        summary="Add a note to the timeline",
    )
    @action(detail=True, methods=["get", "post"])
    def timeline(self, request, id=None):
        incident = self._incident()
        if request.method == "GET":
            return Response(TimelineEntrySerializer(selectors.timeline_of(request.user, incident), many=True).data)
        data = self.validated(EntryCreateSerializer)
        named = _people(data.pop("named_people"), incident)
        entry = services.add_entry(actor=request.user, incident=incident, named_people=named, **data)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=IndicatorSerializer(many=True),
        summary="The indicators of compromise you may read",
    )
    @extend_schema(
        methods=["post"],
        request=IndicatorCreateSerializer,
        responses={201: IndicatorSerializer},
        summary="Add an indicator of compromise",
    )
    @action(detail=True, methods=["get", "post"])
    def indicators(self, request, id=None):
        incident = self._incident()
        if request.method == "GET":
            return Response(IndicatorSerializer(selectors.indicators_of(request.user, incident), many=True).data)
        data = self.validated(IndicatorCreateSerializer)
        named = _people(data.pop("named_people"), incident)
        indicator = services.add_indicator(actor=request.user, incident=incident, named_people=named, **data)
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=DutySerializer(many=True),
        summary="Reporting duties recorded as met",
    )
    @extend_schema(
        methods=["post"],
        request=DutyCreateSerializer,
        responses={201: DutySerializer},
        summary="Record that a reporting duty was met",
    )
    @action(detail=True, methods=["get", "post"])
    def duties(self, request, id=None):
        incident = self._incident()
        if request.method == "GET":
            return Response(DutySerializer(selectors.clock_records_of(request.user, incident).values(), many=True).data)
        record = services.record_duty_met(actor=request.user, incident=incident, **self.validated(DutyCreateSerializer))
        return Response(DutySerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=AttachmentSerializer(many=True),
        summary="The files of the report",
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True)},
        summary="Add files (multipart/form-data, field `files`)",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def attachments(self, request, id=None):
        """Files are sent as multipart/form-data in the field `files` (one or more); PDF, images,
        text, logs, CSV, e-mail, Word and Excel, each within the upload limit."""
        incident = self._incident()
        if request.method == "GET":
            return Response(AttachmentSerializer(selectors.attachments_of(request.user, incident), many=True).data)
        unknown = sorted(set(request.data) - {"files"})
        if unknown:
            raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        files = request.FILES.getlist("files")
        if not files:
            raise ValidationError({"files": [_("Choose a file.")]})
        made = services.add_attachments(actor=request.user, incident=incident, attachments=files)
        return Response(AttachmentSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=TaskSerializer(many=True),
        summary="Tasks you may see",
    )
    @extend_schema(
        methods=["post"],
        request=TaskCreateSerializer,
        responses={201: TaskSerializer},
        summary="Add a task (CERT)",
    )
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request, id=None):
        incident = self._incident()
        if request.method == "GET":
            return Response(TaskSerializer(selectors.tasks_of(request.user, incident), many=True).data)
        incident = self._incident(Action.INCIDENT_HANDLE)
        data = self.validated(TaskCreateSerializer)
        assignee = None
        if data["assignee"]:
            assignee = get_user_model().objects.filter(email=data["assignee"].lower(), is_active=True).first()
            if assignee is None:
                raise ValidationError({"assignee": [_("No one with this e-mail address can take this task.")]})
        data["assignee"] = assignee
        task = services.add_task(actor=request.user, incident=incident, **data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TaskSerializer, summary="Mark a task as done")
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_id>[0-9a-fA-F-]{36})/done")
    def task_done(self, request, id=None, task_id=None):
        incident = self._incident()
        task = selectors.access_task(request.user, task_id, Action.INCIDENT_VIEW)
        if task.incident_id != incident.pk:
            raise Http404
        return Response(TaskSerializer(services.complete_task(actor=request.user, task=task)).data)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=RelatedIncidentSerializer(many=True),
        summary="Related incidents (CERT)",
    )
    @extend_schema(
        methods=["post"],
        request=LinkCreateSerializer,
        responses={201: RelatedIncidentSerializer(many=True)},
        summary="Link a related incident (CERT)",
    )
    @action(detail=True, methods=["get", "post"])
    def links(self, request, id=None):
        incident = self._incident(Action.INCIDENT_HANDLE)
        if not selectors.on_cert_side(request.user, incident):
            raise Http404
        if request.method == "POST":
            data = self.validated(LinkCreateSerializer)
            try:
                related = selectors.access_incident(request.user, data["related"], Action.INCIDENT_HANDLE)
            except Http404:
                raise ValidationError({"related": [_("No incident with this id that you handle.")]}) from None
            services.link_incidents(actor=request.user, incident=incident, related=related, note=data["note"])
            return Response(
                RelatedIncidentSerializer(selectors.links_of(request.user, incident), many=True).data,
                status=status.HTTP_201_CREATED,
            )
        return Response(RelatedIncidentSerializer(selectors.links_of(request.user, incident), many=True).data)

    @extend_schema(
        request=None,
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        summary="The incident and its indicators as a STIX 2.1 bundle",
    )
    @action(detail=True, methods=["get"])
    def stix(self, request, id=None):
        """A STIX 2.1 bundle with the TLP 2.0 marking definitions, holding only the indicators you
        may read."""
        incident = self._incident()
        if incident.is_draft:
            raise Http404
        creator = incident.cert.name if incident.cert_id else "Weerbaar"
        return Response(
            stix.bundle(
                incident,
                list(selectors.indicators_of(request.user, incident)),
                creator_name=creator,
            )
        )


@extend_schema_view(
    list=extend_schema(summary="Published lessons learned you may read", parameters=[LessonQuery]),
    retrieve=extend_schema(summary="One lesson learned"),
)
class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Anonymised evaluations of incidents, shared with the sector (TLP:GREEN by default)."""

    access_rule = SIGNED_IN
    serializer_class = LessonSerializer
    queryset = Lesson.objects.none()  # the schema's model; requests read get_queryset()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.list_lessons(self.request.user, **self.query(LessonQuery))

    def get_object(self):
        return selectors.access_lesson(self.request.user, self.kwargs["id"])


@extend_schema_view(list=extend_schema(summary="Anonymised incident statistics", responses=StatisticsSerializer))
class IncidentStatisticsViewSet(ScopedViewSet):
    """Incidents of the last twelve months per month, sector, kind and severity, with the median
    hours to report and to resolve; a cell is shown only when it cannot single out an
    organisation."""

    queryset = Incident.objects.none()  # the schema's model; the answer holds aggregates only
    access_rule = Action.AGGREGATE_VIEW
    serializer_class = StatisticsSerializer
    pagination_class = None

    def list(self, request):
        if not visible_organisations(request.user, Action.AGGREGATE_VIEW).exists():
            raise Http404
        report = selectors.incident_statistics(request.user)

        def cell(c):
            return {
                "key": c.key,
                "suppressed": c.suppressed,
                "incidents": c.incidents,
                "median_hours_to_report": c.median_hours_to_report,
                "median_hours_to_resolve": c.median_hours_to_resolve,
            }

        body = {
            "sectors": list(report.sectors),
            "min_group": report.min_group,
            "total": cell(report.total),
            **{dimension: [cell(c) for c in cells] for dimension, cells in report.dimensions.items()},
        }
        return Response(StatisticsSerializer(body).data)
