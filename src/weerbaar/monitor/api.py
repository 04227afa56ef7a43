"""API of the sector monitor, on the same selectors and services as the pages: a coordinator's
cycles and participation counts, the anonymised benchmark of a cycle, an organisation's own
position and forecast, and its basic measures and SOC connection."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from weerbaar.api.base import ScopedViewSet, StrictSerializer
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import visible_organisations
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.selectors import visible_versions
from weerbaar.monitor import reports, selectors, services
from weerbaar.monitor.choices import CycleKind, MeasureState, SocStatus
from weerbaar.monitor.forecast import Outlook
from weerbaar.monitor.models import Ambition, BasicMeasure, Cycle
from weerbaar.organisations.choices import SectorCode
from weerbaar.organisations.models import Organisation, Sector
from weerbaar.organisations.selectors import access_organisation


class CycleSerializer(serializers.ModelSerializer):
    """A measurement cycle: a baseline, monitor or benchmark for one or more sectors."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    framework_version = serializers.UUIDField(source="framework_version.public_id", read_only=True)
    framework_code = serializers.CharField(source="framework_version.framework.code", read_only=True)
    coordinator = serializers.UUIDField(source="coordinator.public_id", read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "kind",
            "sectors",
            "framework_version",
            "framework_code",
            "opens_on",
            "closes_on",
            "coordinator",
        ]
        read_only_fields = fields


class CycleCreateSerializer(StrictSerializer):
    """A new cycle. Every active board and institution of the sectors is invited."""

    coordinator = serializers.UUIDField(
        required=False,
        help_text=_("The coordinating organisation; may be left out when you coordinate for one."),
    )
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CycleKind.choices)
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SectorCode.choices), min_length=1, max_length=8
    )
    framework_version = serializers.UUIDField(help_text=_("A published framework version with maturity levels."))
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class ParticipationCountsSerializer(serializers.Serializer):
    """How many invited organisations are at each step (counts only, never names or scores)."""

    invited = serializers.IntegerField()
    started = serializers.IntegerField()
    submitted = serializers.IntegerField()
    final = serializers.IntegerField()


class CellSerializer(serializers.Serializer):
    """One anonymised cell. A suppressed cell has no statistics at all."""

    group = serializers.CharField(help_text=_('"all" (every sector of the cycle) or a sector code.'))
    column = serializers.CharField(help_text=_('"overall" or a domain code.'))
    suppressed = serializers.BooleanField()
    count = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q1 = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Organisations per level band, 1 to 5.")
    )
    share_at_target = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text=_("Mean now minus the mean in the previous cycle."))


class BenchmarkSerializer(serializers.Serializer):
    cycle = CycleSerializer()
    groups = serializers.ListField(child=serializers.CharField())
    min_group = serializers.IntegerField(help_text=_("Organisations needed besides any reader for a cell to be shown."))
    cells = CellSerializer(many=True)


class PositionSerializer(serializers.Serializer):
    """The organisation's own scores in a cycle and its percentile within its sector per column
    (null where the sector's group is too small to be shown)."""

    cycle = serializers.UUIDField()
    cycle_name = serializers.CharField()
    sector = serializers.CharField()
    overall = serializers.FloatField(allow_null=True)
    domains = serializers.DictField(child=serializers.FloatField(allow_null=True))
    percentiles = serializers.DictField(child=serializers.FloatField(allow_null=True))


class ForecastSerializer(serializers.Serializer):
    outlook = serializers.ChoiceField(choices=[(o.value, o.value) for o in Outlook])
    reason = serializers.CharField()
    explanation = serializers.CharField()
    latest = serializers.FloatField(allow_null=True)
    slope_per_year = serializers.FloatField(allow_null=True)
    expected_at_deadline = serializers.FloatField(allow_null=True)
    points = serializers.IntegerField()
    ambition = serializers.FloatField()
    deadline = serializers.DateField()


class OrganisationMonitorSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    positions = PositionSerializer(many=True)
    forecast = ForecastSerializer(allow_null=True)


class MeasureStatusSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text=_("The code of the basic measure."))
    title_nl = serializers.CharField()
    title_en = serializers.CharField()
    state = serializers.ChoiceField(choices=MeasureState.choices, allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    evidence = serializers.CharField(allow_blank=True)


class SocSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SocStatus.choices)
    provider = serializers.CharField(allow_blank=True)
    planned_on = serializers.DateField(allow_null=True)
    connected_on = serializers.DateField(allow_null=True)


class PostureSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    measures = MeasureStatusSerializer(many=True)
    soc = SocSerializer()


class MeasureUpdateSerializer(StrictSerializer):
    measure = serializers.CharField(max_length=32)
    state = serializers.ChoiceField(choices=MeasureState.choices)
    as_of = serializers.DateField(required=False, allow_null=True, default=None)
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class SocUpdateSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=SocStatus.choices)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    planned_on = serializers.DateField(required=False, allow_null=True, default=None)
    connected_on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(summary="Cycles you coordinate"),
    retrieve=extend_schema(summary="One cycle you coordinate"),
)
class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Measurement cycles of the organisations the user coordinates for."""

    access_rule = Action.SECTOR_COORDINATE
    serializer_class = CycleSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.coordinated_cycles(self.request.user)

    def get_object(self):
        return selectors.access_cycle(self.request.user, self.kwargs["id"])

    @extend_schema(request=CycleCreateSerializer, responses={201: CycleSerializer}, summary="Open a cycle")
    def create(self, request):
        data = self.validated(CycleCreateSerializer)
        coordinators = visible_organisations(request.user, Action.SECTOR_COORDINATE)
        if "coordinator" in data:
            coordinator = coordinators.filter(public_id=data["coordinator"]).first()
        else:
            coordinator = coordinators.first() if coordinators.count() == 1 else None
        if coordinator is None:
            raise ValidationError({"coordinator": [_("Name the organisation you coordinate for.")]})
        version = (
            visible_versions(request.user)
            .filter(public_id=data["framework_version"], status=VersionStatus.PUBLISHED, scored=True)
            .first()
        )
        if version is None:
            raise ValidationError(
                {"framework_version": [_("No published framework version with maturity levels has this id.")]}
            )
        cycle = services.open_cycle(
            actor=request.user,
            coordinator=coordinator,
            name=data["name"],
            kind=data["kind"],
            sectors=list(Sector.objects.filter(code__in=data["sectors"])),
            framework_version=version,
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )
        return Response(CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ParticipationCountsSerializer, summary="Participation counts of a cycle")
    @action(detail=True, methods=["get"])
    def participation(self, request, id=None):
        cycle = selectors.access_cycle(request.user, id)
        return Response(ParticipationCountsSerializer(selectors.participation_overview(cycle)).data)


def _cells(user, cycle: Cycle) -> list[dict]:
    groups = selectors.visible_groups(user, cycle)
    cells = []
    for cell in selectors.cycle_aggregates(cycle):
        if cell.group not in groups:
            continue
        if cell.suppressed:
            cells.append(
                {
                    "group": cell.group,
                    "column": cell.column,
                    "suppressed": True,
                    "count": None,
                    "mean": None,
                    "median": None,
                    "q1": None,
                    "q3": None,
                    "distribution": {},
                    "share_at_target": None,
                    "change": None,
                }
            )
            continue
        cells.append(
            {
                "group": cell.group,
                "column": cell.column,
                "suppressed": False,
                "count": cell.count,
                "mean": cell.mean,
                "median": cell.median,
                "q1": cell.q1,
                "q3": cell.q3,
                "distribution": cell.distribution,
                "share_at_target": cell.share_at_target,
                "change": cell.change,
            }
        )
    return cells


@extend_schema_view(
    list=extend_schema(summary="Cycles whose anonymised benchmark you may read"),
    retrieve=extend_schema(summary="The anonymised benchmark of a cycle", responses=BenchmarkSerializer),
)
class BenchmarkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Anonymised aggregates only: fixed groups (the cycle total and each sector within the
    reader's reach), with suppressed cells marked as such."""

    access_rule = Action.AGGREGATE_VIEW
    serializer_class = CycleSerializer
    queryset = Cycle.objects.none()  # the schema's model; requests read get_queryset()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.aggregate_cycles(self.request.user).select_related("coordinator")

    def retrieve(self, request, id=None):
        cycle = selectors.access_aggregate_cycle(request.user, id)
        body = {
            "cycle": cycle,
            "groups": selectors.visible_groups(request.user, cycle),
            "min_group": settings.BENCHMARK_MIN_GROUP,
            "cells": _cells(request.user, cycle),
        }
        return Response(BenchmarkSerializer(body).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="An organisation's own position and forecast",
        responses=OrganisationMonitorSerializer,
    )
)
class OrganisationMonitorViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """The organisation's own results per cycle with its percentile in its sector, and its
    forecast against the sector's ambition. Only for people of the organisation itself."""

    access_rule = Action.ASSESSMENT_VIEW
    serializer_class = OrganisationMonitorSerializer
    queryset = Organisation.objects.none()  # the schema's model; requests go through access()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def retrieve(self, request, id=None):
        organisation = access_organisation(request.user, id, Action.ASSESSMENT_VIEW)
        positions = []
        for participation in selectors.invitations_for(request.user, organisation):
            position = selectors.own_position(request.user, organisation, participation.cycle)
            if position is not None:
                positions.append(
                    {
                        "cycle": participation.cycle.public_id,
                        "cycle_name": participation.cycle.name,
                        **position,
                    }
                )
        forecast = selectors.forecast_for(organisation)
        ambition = Ambition.objects.filter(sector_id=organisation.sector_id).first()
        forecast_body = None
        if forecast is not None and ambition is not None:
            forecast_body = {
                "outlook": forecast.outlook.value,
                "reason": forecast.reason,
                "explanation": reports.forecast_sentence(forecast, ambition),
                "latest": forecast.latest,
                "slope_per_year": forecast.slope_per_year,
                "expected_at_deadline": forecast.expected_at_deadline,
                "points": forecast.points,
                "ambition": ambition.target,
                "deadline": ambition.deadline,
            }
        body = {
            "organisation": organisation.public_id,
            "positions": positions,
            "forecast": forecast_body,
        }
        return Response(OrganisationMonitorSerializer(body).data)


def _posture(user, organisation) -> dict:
    soc = selectors.soc_of(user, organisation)
    return {
        "organisation": organisation.public_id,
        "measures": [
            {
                "measure": m.code,
                "title_nl": m.title_nl,
                "title_en": m.title_en,
                "state": s.state if s else None,
                "as_of": s.as_of if s else None,
                "evidence": s.evidence if s else "",
            }
            for m, s in selectors.measures_of(user, organisation)
        ],
        "soc": {
            "status": soc.status if soc else SocStatus.NONE,
            "provider": soc.provider if soc else "",
            "planned_on": soc.planned_on if soc else None,
            "connected_on": soc.connected_on if soc else None,
        },
    }


@extend_schema_view(retrieve=extend_schema(summary="An organisation's basic measures and SOC connection"))
class PostureViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """Basic measures and the SOC connection of an organisation."""

    access_rule = Action.POSTURE_VIEW
    serializer_class = PostureSerializer
    queryset = Organisation.objects.none()  # the schema's model; requests go through access()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def retrieve(self, request, id=None):
        organisation = access_organisation(request.user, id, Action.POSTURE_VIEW)
        return Response(PostureSerializer(_posture(request.user, organisation)).data)

    @extend_schema(
        request=MeasureUpdateSerializer,
        responses=PostureSerializer,
        summary="Record a basic measure's status",
    )
    @action(detail=True, methods=["post"])
    def measures(self, request, id=None):
        organisation = access_organisation(request.user, id, Action.POSTURE_EDIT)
        data = self.validated(MeasureUpdateSerializer)
        measure = BasicMeasure.objects.filter(code=data.pop("measure")).first()
        if measure is None:
            raise ValidationError({"measure": [_("There is no basic measure with this code.")]})
        services.set_measure_status(actor=request.user, organisation=organisation, measure=measure, **data)
        return Response(PostureSerializer(_posture(request.user, organisation)).data)

    @extend_schema(
        request=SocUpdateSerializer,
        responses=PostureSerializer,
        summary="Record the SOC connection",
    )
    @action(detail=True, methods=["post"])
    def soc(self, request, id=None):
        organisation = access_organisation(request.user, id, Action.POSTURE_EDIT)
        data = self.validated(SocUpdateSerializer)
        services.set_soc_connection(actor=request.user, organisation=organisation, **data)
        return Response(PostureSerializer(_posture(request.user, organisation)).data)
