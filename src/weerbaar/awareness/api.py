"""API of the awareness app, on the same selectors and services as the pages: activities with
their participation (also as a CSV import), exercise evaluations and findings, the year summary,
the central training offer with enrolment, and the anonymised sector figures."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.awareness import selectors, services
from weerbaar.awareness.choices import ActivityKind, PeopleGroup, TrainingFormat
from weerbaar.awareness.models import Activity, Enrolment, TrainingOffer
from weerbaar.awareness.participation_csv import MAX_BYTES
from weerbaar.core.access import SIGNED_IN
from weerbaar.core.permissions import Action
from weerbaar.monitor.selectors import aggregate_sector_codes
from weerbaar.organisations.choices import SectorCode
from weerbaar.organisations.selectors import access_organisation

# --- output --------------------------------------------------------------------------------------


class AwarenessParticipationSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=PeopleGroup.choices)
    people = serializers.IntegerField()
    invited = serializers.IntegerField()
    participated = serializers.IntegerField()


class ExerciseFindingSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    text = serializers.CharField()
    improvement_action = serializers.UUIDField(source="action.public_id", allow_null=True, default=None)
    action_status = serializers.CharField(source="action.status", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class AwarenessActivitySerializer(serializers.ModelSerializer):
    """An activity as its reader sees it: phishing counts for a simulation, scenario and groups
    for a crisis exercise, and the participation per group."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    offer = serializers.UUIDField(source="offer.public_id", read_only=True, allow_null=True, default=None)
    # Counts declared here, not derived from the model: a derived field's maximum follows the
    # database engine, and the published schema must be the same on every engine.
    repeat_months = serializers.IntegerField(read_only=True, allow_null=True)
    sent = serializers.IntegerField(read_only=True, allow_null=True)
    opened = serializers.IntegerField(read_only=True, allow_null=True)
    clicked = serializers.IntegerField(read_only=True, allow_null=True)
    reported = serializers.IntegerField(read_only=True, allow_null=True)
    groups = serializers.ListField(child=serializers.ChoiceField(choices=PeopleGroup.choices), read_only=True)
    participation = AwarenessParticipationSerializer(source="participations", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organisation",
            "kind",
            "title",
            "description",
            "held_on",
            "ends_on",
            "repeat_months",
            "sent",
            "opened",
            "clicked",
            "reported",
            "scenario",
            "groups",
            "evaluation",
            "evaluated_on",
            "offer",
            "participation",
            "created_at",
            "updated_at",
        ]


class AwarenessYearSummarySerializer(serializers.Serializer):
    campaigns = serializers.IntegerField()
    trainings = serializers.IntegerField()
    phishing_simulations = serializers.IntegerField()
    exercises = serializers.IntegerField()
    phishing_sent = serializers.IntegerField()
    phishing_opened = serializers.IntegerField()
    phishing_clicked = serializers.IntegerField()
    phishing_reported = serializers.IntegerField()
    phishing_report_rate = serializers.FloatField(allow_null=True)
    phishing_click_rate = serializers.FloatField(allow_null=True)
    last_exercise_date = serializers.DateField(allow_null=True)
    invited = serializers.IntegerField()
    participated = serializers.IntegerField()
    participation_rate = serializers.FloatField(allow_null=True)
    groups_exercised = serializers.ListField(child=serializers.ChoiceField(choices=PeopleGroup.choices))


class TrainingOfferSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    coordinator = serializers.UUIDField(source="coordinator.public_id", read_only=True)
    coordinator_name = serializers.CharField(source="coordinator.name", read_only=True)
    sectors = serializers.SerializerMethodField()

    class Meta:
        model = TrainingOffer
        fields = [
            "id",
            "coordinator",
            "coordinator_name",
            "sectors",
            "title",
            "description",
            "audience",
            "format",
            "starts_on",
            "ends_on",
            "published",
        ]

    def get_sectors(self, offer) -> list[str]:
        return [s.code for s in offer.sectors.all()]


class TrainingEnrolmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    offer = serializers.UUIDField(source="offer.public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    places = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "offer", "organisation", "places", "created_at"]


class AwarenessFigureCellSerializer(serializers.Serializer):
    """One anonymised cell: suppressed cells carry no figures and no count."""

    suppressed = serializers.BooleanField()
    count = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q1 = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)


class AwarenessFigureRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text=_("'all' or a sector code"))
    participation = AwarenessFigureCellSerializer()
    phishing_report = AwarenessFigureCellSerializer()
    exercised = AwarenessFigureCellSerializer()


def _cell(stats) -> dict:
    if stats.suppressed:
        return {"suppressed": True, "count": None, "mean": None, "median": None, "q1": None, "q3": None}
    return {
        "suppressed": False,
        "count": stats.count,
        "mean": stats.mean,
        "median": stats.median,
        "q1": stats.q1,
        "q3": stats.q3,
    }


# --- input ---------------------------------------------------------------------------------------


class AwarenessActivityQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class AwarenessActivityWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    held_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    repeat_months = serializers.IntegerField(required=False, allow_null=True)
    sent = serializers.IntegerField(required=False, allow_null=True)
    opened = serializers.IntegerField(required=False, allow_null=True)
    clicked = serializers.IntegerField(required=False, allow_null=True)
    reported = serializers.IntegerField(required=False, allow_null=True)
    scenario = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    groups = serializers.ListField(child=serializers.ChoiceField(choices=PeopleGroup.choices), required=False)
    offer = serializers.UUIDField(required=False, allow_null=True)


class AwarenessActivityCreateSerializer(AwarenessActivityWriteSerializer):
    organisation = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()


class AwarenessParticipationInputSerializer(StrictSerializer):
    group = serializers.ChoiceField(choices=PeopleGroup.choices)
    people = serializers.IntegerField()
    invited = serializers.IntegerField()
    participated = serializers.IntegerField()


class AwarenessImportInputSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("CSV: group, people, invited, completed; one line per group."))


class ExerciseEvaluationInputSerializer(StrictSerializer):
    evaluation = serializers.CharField(max_length=10_000)
    evaluated_on = serializers.DateField()


class ExerciseFindingInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=10_000)
    action_title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class AwarenessSummaryQuery(QuerySerializer):
    organisation = serializers.UUIDField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class TrainingOfferInputSerializer(StrictSerializer):
    coordinator = serializers.UUIDField(required=False, help_text=_("Needed only when you coordinate for several."))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    audience = serializers.ChoiceField(choices=PeopleGroup.choices)
    format = serializers.ChoiceField(choices=TrainingFormat.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    published = serializers.BooleanField(default=False)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=SectorCode.choices), min_length=1)


class TrainingOfferUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    audience = serializers.ChoiceField(choices=PeopleGroup.choices, required=False)
    format = serializers.ChoiceField(choices=TrainingFormat.choices, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    published = serializers.BooleanField(required=False)
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SectorCode.choices), min_length=1, required=False
    )


class TrainingEnrolInputSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    places = serializers.IntegerField()


# --- views ---------------------------------------------------------------------------------------


def _organisation(user, public_id, action: Action):
    try:
        return access_organisation(user, public_id, action)
    except Http404:
        # Alike for an organisation that does not exist and one where the user may not act.
        raise ValidationError({"organisation": [_("No organisation with this id within your reach.")]}) from None


def _offer_for(user, organisation, public_id):
    if public_id is None:
        return None
    offer = selectors.offers_for(user).filter(public_id=public_id).first()
    if offer is None:
        raise ValidationError({"offer": [_("No course with this id in the offer for you.")]})
    return offer


class AwarenessActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Awareness activities of the organisations within the user's reach."""

    access_rule = Action.AWARENESS_VIEW
    serializer_class = AwarenessActivitySerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(AwarenessActivityQuery)
        activities = (
            Activity.objects.visible_to(self.request.user, Action.AWARENESS_VIEW)
            .select_related("organisation", "offer")
            .prefetch_related("participations")
            .order_by("-held_on", "-created_at")
        )
        if "organisation" in params:
            activities = activities.filter(organisation__public_id=params["organisation"])
        if "kind" in params:
            activities = activities.filter(kind=params["kind"])
        if "year" in params:
            activities = activities.filter(held_on__year=params["year"])
        return activities

    def get_object(self):
        return selectors.access_activity(self.request.user, self.kwargs["id"])

    def _fresh(self, activity) -> Response:
        activity = (
            Activity.objects.select_related("organisation", "offer")
            .prefetch_related("participations")
            .get(pk=activity.pk)
        )
        return Response(AwarenessActivitySerializer(activity).data)

    @extend_schema(
        request=AwarenessActivityCreateSerializer,
        responses={201: AwarenessActivitySerializer},
        summary="Record an activity",
    )
    def create(self, request):
        data = dict(self.validated(AwarenessActivityCreateSerializer))
        organisation = _organisation(request.user, data.pop("organisation"), Action.AWARENESS_EDIT)
        data["offer"] = _offer_for(request.user, organisation, data.get("offer"))
        activity = services.create_activity(actor=request.user, organisation=organisation, **data)
        response = self._fresh(activity)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=AwarenessActivityWriteSerializer, responses=AwarenessActivitySerializer, summary="Change an activity"
    )
    def partial_update(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        data = dict(self.validated(AwarenessActivityWriteSerializer))
        if "offer" in data:
            data["offer"] = _offer_for(request.user, activity.organisation, data["offer"])
        services.update_activity(actor=request.user, activity=activity, **data)
        return self._fresh(activity)

    @extend_schema(request=None, responses={204: None}, summary="Remove an activity recorded by mistake")
    def destroy(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        services.delete_activity(actor=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=AwarenessParticipationInputSerializer,
        responses=AwarenessActivitySerializer,
        summary="Record a group's participation",
    )
    @action(detail=True, methods=["post"])
    def participation(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        services.set_participation(
            actor=request.user, activity=activity, **self.validated(AwarenessParticipationInputSerializer)
        )
        return self._fresh(activity)

    @extend_schema(
        request={"multipart/form-data": AwarenessImportInputSerializer},
        responses=AwarenessActivitySerializer,
        summary="Import participation from a learning platform's CSV export (all rows or none)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_participation(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        upload = self.validated(AwarenessImportInputSerializer)["file"]
        services.import_participation(actor=request.user, activity=activity, content=upload.read(MAX_BYTES + 1))
        return self._fresh(activity)

    @extend_schema(
        request=ExerciseEvaluationInputSerializer, responses=AwarenessActivitySerializer, summary="Evaluate an exercise"
    )
    @action(detail=True, methods=["post"])
    def evaluation(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        services.record_evaluation(
            actor=request.user, activity=activity, **self.validated(ExerciseEvaluationInputSerializer)
        )
        return self._fresh(activity)

    @extend_schema(
        methods=["GET"], request=None, responses=ExerciseFindingSerializer(many=True), summary="Findings of an exercise"
    )
    @extend_schema(
        methods=["POST"],
        request=ExerciseFindingInputSerializer,
        responses={201: ExerciseFindingSerializer},
        summary="Add a finding; it becomes an action in the improvement plan",
    )
    @action(detail=True, methods=["get", "post"])
    def findings(self, request, id=None):
        if request.method == "GET":
            activity = selectors.access_activity(request.user, id)
            return Response(ExerciseFindingSerializer(selectors.findings_of(activity), many=True).data)
        activity = selectors.access_activity(request.user, id, Action.AWARENESS_EDIT)
        finding = services.add_finding(
            actor=request.user, activity=activity, **self.validated(ExerciseFindingInputSerializer)
        )
        return Response(ExerciseFindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[AwarenessSummaryQuery],
        responses=AwarenessYearSummarySerializer,
        summary="An organisation's figures of one year",
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        params = self.query(AwarenessSummaryQuery)
        try:
            organisation = access_organisation(request.user, params["organisation"], Action.AWARENESS_VIEW)
        except Http404:
            raise ValidationError({"organisation": [_("No organisation with this id within your reach.")]}) from None
        return Response(
            AwarenessYearSummarySerializer(selectors.year_summary(organisation=organisation, year=params["year"])).data
        )


class TrainingOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The central training offer: readable by the member organisations of its sectors, written
    by the sector coordinators who publish it."""

    access_rule = SIGNED_IN
    serializer_class = TrainingOfferSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.offers_for(self.request.user)

    def get_object(self):
        return selectors.access_offer(self.request.user, self.kwargs["id"])

    @extend_schema(
        request=TrainingOfferInputSerializer, responses={201: TrainingOfferSerializer}, summary="Add a course"
    )
    def create(self, request):
        data = dict(self.validated(TrainingOfferInputSerializer))
        coordinators = selectors.coordinator_organisations(request.user)
        wanted = data.pop("coordinator", None)
        if wanted is not None:
            coordinators = coordinators.filter(public_id=wanted)
        coordinator = coordinators.first()
        if coordinator is None or (wanted is None and coordinators.count() > 1):
            raise ValidationError({"coordinator": [_("Name the sector organisation you publish for.")]})
        data["sectors"] = _sectors(coordinator, data["sectors"])
        offer = services.create_offer(actor=request.user, coordinator=coordinator, **data)
        return Response(TrainingOfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrainingOfferUpdateSerializer, responses=TrainingOfferSerializer, summary="Change a course")
    def partial_update(self, request, id=None):
        offer = selectors.access_offer_to_change(request.user, id)
        data = dict(self.validated(TrainingOfferUpdateSerializer))
        if "sectors" in data:
            data["sectors"] = _sectors(offer.coordinator, data["sectors"])
        offer = services.update_offer(actor=request.user, offer=offer, **data)
        return Response(TrainingOfferSerializer(offer).data)

    @extend_schema(
        request=TrainingEnrolInputSerializer, responses={201: TrainingEnrolmentSerializer}, summary="Enrol in a course"
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request, id=None):
        offer = selectors.access_offer(request.user, id)
        data = self.validated(TrainingEnrolInputSerializer)
        organisation = _organisation(request.user, data["organisation"], Action.AWARENESS_EDIT)
        enrolment = services.enrol(actor=request.user, offer=offer, organisation=organisation, places=data["places"])
        return Response(TrainingEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


def _sectors(coordinator, codes: list[str]) -> list:
    from weerbaar.organisations.models import Sector

    found = list(Sector.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({"sectors": [_("Unknown sector.")]})
    return found


class AwarenessFiguresViewSet(ScopedViewSet):
    """Anonymised awareness figures per sector group for sector roles: never one organisation's."""

    access_rule = Action.AGGREGATE_VIEW
    # Never read: the figures come from the selector. It tells the schema generator there is no
    # model behind this list.
    queryset = Activity.objects.none()

    @extend_schema(responses=AwarenessFigureRowSerializer(many=True), summary="Anonymised awareness figures per sector")
    def list(self, request):
        codes = aggregate_sector_codes(request.user)
        rows = [
            {"group": row["group"], **{column: _cell(row[column]) for column in selectors.FIGURE_COLUMNS}}
            for row in selectors.sector_figures(codes)
        ]
        return Response(AwarenessFigureRowSerializer(rows, many=True).data)
