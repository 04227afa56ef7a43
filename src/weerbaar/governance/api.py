"""API of governance, on the same selectors and services as the pages: budgets, annual-report
paragraphs with their workflow and exports, the supervisory-board summary, the anonymised sector
figures and the sector paragraph settings."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.core.permissions import Action
from weerbaar.governance import exports, selectors, services
from weerbaar.governance.choices import Element, ExportFormat, ParagraphStatus
from weerbaar.governance.models import AnnualReportParagraph, SectorParagraphSettings, SecurityBudget
from weerbaar.organisations.selectors import access_organisation

# --- budgets --------------------------------------------------------------------------------


class BudgetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    ict_share = serializers.FloatField(read_only=True, allow_null=True, help_text=_("Security budget / ICT budget."))

    class Meta:
        model = SecurityBudget
        fields = [
            "id",
            "organisation",
            "year",
            "total_budget",
            "ict_budget",
            "security_budget",
            "ict_share",
            "headcount_fte",
            "ibp_officer_fte",
            "dpo_fte",
            "security_engineer_fte",
            "external_fte",
            "external_services",
            "note",
            "updated_at",
        ]
        read_only_fields = fields


class BudgetWriteSerializer(StrictSerializer):
    """A year's budget and staffing; a second write for the same year corrects it."""

    organisation = serializers.UUIDField()
    year = serializers.IntegerField()
    total_budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    ict_budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    security_budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    headcount_fte = serializers.DecimalField(max_digits=11, decimal_places=2)
    ibp_officer_fte = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default=0)
    dpo_fte = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default=0)
    security_engineer_fte = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default=0)
    external_fte = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default=0)
    external_services = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class GovernanceQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


@extend_schema_view(
    list=extend_schema(summary="Security budgets and staffing", parameters=[GovernanceQuery]),
    retrieve=extend_schema(summary="One year's budget and staffing"),
    create=extend_schema(
        summary="Record or correct a year's budget and staffing",
        request=BudgetWriteSerializer,
        responses=BudgetSerializer,
    ),
)
class BudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.GOVERNANCE_VIEW
    serializer_class = BudgetSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        query = self.query(GovernanceQuery) if self.action == "list" else {}
        budgets = SecurityBudget.objects.visible_to(self.request.user, Action.GOVERNANCE_VIEW).select_related(
            "organisation"
        )
        if query.get("organisation"):
            budgets = budgets.filter(organisation__public_id=query["organisation"])
        if query.get("year"):
            budgets = budgets.filter(year=query["year"])
        return budgets.order_by("organisation__name", "-year")

    def create(self, request):
        data = self.validated(BudgetWriteSerializer)
        organisation = access_organisation(request.user, data.pop("organisation"), Action.GOVERNANCE_EDIT)
        budget = services.save_budget(actor=request.user, organisation=organisation, **data)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


# --- paragraphs -----------------------------------------------------------------------------


class ParagraphSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    locked = serializers.BooleanField(source="is_locked", read_only=True)
    approved_by = serializers.SerializerMethodField()
    facts = serializers.JSONField(read_only=True, help_text=_("The figures the draft was written from."))

    class Meta:
        model = AnnualReportParagraph
        fields = [
            "id",
            "organisation",
            "year",
            "version",
            "status",
            "locked",
            "elements",
            "text_nl",
            "text_en",
            "facts",
            "submitted_at",
            "approved_at",
            "approved_by",
            "return_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_approved_by(self, paragraph) -> str | None:
        user = paragraph.approved_by
        return (user.full_name or user.email) if user else None


class ParagraphQuery(GovernanceQuery):
    status = serializers.ChoiceField(choices=ParagraphStatus.choices, required=False)


class GenerateSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    year = serializers.IntegerField()


class ParagraphEditSerializer(StrictSerializer):
    text_nl = serializers.CharField(max_length=services.MAX_TEXT, allow_blank=True)
    text_en = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")


class ReturnSerializer(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExportQuery(QuerySerializer):
    # Not "format": DRF reads that parameter to choose a renderer.
    file_format = serializers.ChoiceField(choices=ExportFormat.choices, default="docx")
    language = serializers.ChoiceField(choices=[("nl", "nl"), ("en", "en")], default="nl")


@extend_schema_view(
    list=extend_schema(summary="Annual-report paragraphs (every version)", parameters=[ParagraphQuery]),
    retrieve=extend_schema(summary="One version of a paragraph"),
    create=extend_schema(
        summary="Draft the paragraph from the platform's figures (or rewrite the open draft)",
        request=GenerateSerializer,
        responses=ParagraphSerializer,
    ),
    partial_update=extend_schema(
        summary="Edit the text of a draft (a locked paragraph is refused)",
        request=ParagraphEditSerializer,
        responses=ParagraphSerializer,
    ),
)
class ParagraphViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.GOVERNANCE_VIEW
    serializer_class = ParagraphSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        query = self.query(ParagraphQuery) if self.action == "list" else {}
        paragraphs = AnnualReportParagraph.objects.visible_to(self.request.user, Action.GOVERNANCE_VIEW).select_related(
            "organisation", "approved_by"
        )
        if query.get("organisation"):
            paragraphs = paragraphs.filter(organisation__public_id=query["organisation"])
        if query.get("year"):
            paragraphs = paragraphs.filter(year=query["year"])
        if query.get("status"):
            paragraphs = paragraphs.filter(status=query["status"])
        return paragraphs.order_by("organisation__name", "-year", "-version")

    def create(self, request):
        data = self.validated(GenerateSerializer)
        organisation = access_organisation(request.user, data["organisation"], Action.GOVERNANCE_EDIT)
        paragraph = services.generate_paragraph(actor=request.user, organisation=organisation, year=data["year"])
        return Response(ParagraphSerializer(paragraph).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id, Action.GOVERNANCE_EDIT)
        data = self.validated(ParagraphEditSerializer)
        paragraph = services.edit_paragraph(actor=request.user, paragraph=paragraph, **data)
        return Response(ParagraphSerializer(paragraph).data)

    @extend_schema(request=None, responses=ParagraphSerializer, summary="Submit a draft to the board")
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id, Action.GOVERNANCE_EDIT)
        return Response(ParagraphSerializer(services.submit_paragraph(actor=request.user, paragraph=paragraph)).data)

    @extend_schema(request=ReturnSerializer, responses=ParagraphSerializer, summary="Withdraw or send back to draft")
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id)
        data = self.validated(ReturnSerializer)
        paragraph = services.return_paragraph(actor=request.user, paragraph=paragraph, note=data["note"])
        return Response(ParagraphSerializer(paragraph).data)

    @extend_schema(request=None, responses=ParagraphSerializer, summary="Approve and lock (board member)")
    @action(detail=True, methods=["post"])
    def approve(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id, Action.GOVERNANCE_APPROVE)
        return Response(ParagraphSerializer(services.approve_paragraph(actor=request.user, paragraph=paragraph)).data)

    @extend_schema(request=None, responses=ParagraphSerializer, summary="Start a new version from an approved one")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id, Action.GOVERNANCE_EDIT)
        new = services.start_new_version(actor=request.user, paragraph=paragraph)
        return Response(ParagraphSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ExportQuery],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="The paragraph as HTML, PDF or DOCX",
    )
    @action(detail=True, methods=["get"])
    def export(self, request, id=None):
        paragraph = selectors.access_paragraph(request.user, id)
        query = self.query(ExportQuery)
        fmt = query["file_format"]
        response = HttpResponse(
            exports.render(paragraph, fmt, query["language"]), content_type=exports.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(paragraph, fmt)}"'
        return response


# --- supervisory board ----------------------------------------------------------------------


class SupervisionSerializer(serializers.Serializer):
    """What a supervisory board looks at: scores, counts and budgets only. No evidence, no
    incident titles or descriptions."""

    organisation = serializers.UUIDField()
    as_of = serializers.DateField()
    quarter = serializers.CharField()
    maturity = serializers.JSONField(allow_null=True)
    outlook = serializers.CharField(allow_null=True)
    audit = serializers.JSONField()
    improvement = serializers.JSONField()
    incidents_last_12_months = serializers.IntegerField()
    serious_incidents = serializers.IntegerField()
    serious_by_category = serializers.DictField(child=serializers.IntegerField())
    budgets = BudgetSerializer(many=True)
    paragraph_status = serializers.CharField(allow_null=True)


@extend_schema_view(retrieve=extend_schema(summary="The supervisory-board summary of an organisation"))
class SupervisionViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.GOVERNANCE_VIEW
    serializer_class = SupervisionSerializer
    queryset = SecurityBudget.objects.none()  # the schema's model; requests go through access()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def retrieve(self, request, id=None):
        organisation = access_organisation(request.user, id, Action.GOVERNANCE_VIEW)
        summary = selectors.supervisory_summary(organisation)
        body = {
            "organisation": organisation.public_id,
            "as_of": summary["today"],
            "quarter": summary["quarter"],
            "maturity": summary["maturity"],
            "outlook": summary["forecast"].outlook.value if summary["forecast"] else None,
            "audit": summary["audit"],
            "improvement": summary["improvement"],
            "incidents_last_12_months": summary["incidents_last_12_months"],
            "serious_incidents": summary["serious_incidents"],
            "serious_by_category": dict(summary["serious_by_category"]),
            "budgets": summary["budgets"],
            "paragraph_status": summary["paragraph"].status if summary["paragraph"] else None,
        }
        return Response(SupervisionSerializer(body).data)


# --- sector figures and settings ------------------------------------------------------------


class GovernanceFigureCellSerializer(serializers.Serializer):
    group = serializers.CharField(help_text=_('"all" (all the reader\'s sectors) or a sector code.'))
    column = serializers.CharField(help_text=_('"approved", "per_student" or "per_fte".'))
    suppressed = serializers.BooleanField()
    count = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    approved = serializers.IntegerField(allow_null=True)
    q1 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)


class GovernanceSectorFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    sectors = serializers.ListField(child=serializers.CharField())
    min_group = serializers.IntegerField()
    cells = GovernanceFigureCellSerializer(many=True)


class YearQuery(QuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


@extend_schema_view(list=extend_schema(summary="Anonymised governance figures", parameters=[YearQuery]))
class SectorFiguresViewSet(ScopedViewSet):
    access_rule = Action.AGGREGATE_VIEW
    serializer_class = GovernanceSectorFiguresSerializer
    queryset = SecurityBudget.objects.none()  # the schema's model; the figures are aggregates only
    pagination_class = None

    def list(self, request):
        query = self.query(YearQuery)
        codes = selectors.reader_sector_codes(request.user)
        if not codes:
            raise Http404
        return Response(GovernanceSectorFiguresSerializer(selectors.sector_figures(codes, query["year"])).data)


class SectorSettingsSerializer(serializers.Serializer):
    sector = serializers.CharField()
    elements = serializers.ListField(child=serializers.ChoiceField(choices=Element.choices))
    due_month = serializers.IntegerField()
    due_day = serializers.IntegerField()
    remind_days_before = serializers.IntegerField()


class SectorSettingsWriteSerializer(StrictSerializer):
    elements = serializers.ListField(child=serializers.CharField(max_length=32), max_length=20)
    due_month = serializers.IntegerField()
    due_day = serializers.IntegerField()
    remind_days_before = serializers.IntegerField(required=False, default=30)


def _settings_body(sector) -> dict:
    return {"sector": sector.code, **selectors.settings_for(sector)}


@extend_schema_view(
    list=extend_schema(summary="Paragraph settings of the sectors you coordinate"),
    retrieve=extend_schema(summary="Paragraph settings of one sector"),
    update=extend_schema(
        summary="Change a sector's paragraph elements and due date",
        request=SectorSettingsWriteSerializer,
        responses=SectorSettingsSerializer,
    ),
)
class SectorSettingsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.SECTOR_COORDINATE
    serializer_class = SectorSettingsSerializer
    queryset = SectorParagraphSettings.objects.none()
    lookup_url_kwarg = "code"
    lookup_value_regex = "[A-Z]+"
    pagination_class = None
    http_method_names = ["get", "put", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def retrieve(self, request, code=None):
        return Response(
            SectorSettingsSerializer(_settings_body(selectors.access_coordinated_sector(request.user, code))).data
        )

    def list(self, request):
        sectors = selectors.coordinated_sectors(request.user)
        return Response(SectorSettingsSerializer([_settings_body(s) for s in sectors], many=True).data)

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def update(self, request, code=None):
        sector = selectors.access_coordinated_sector(request.user, code)
        data = self.validated(SectorSettingsWriteSerializer)
        services.set_sector_settings(actor=request.user, sector=sector, **data)
        return Response(SectorSettingsSerializer(_settings_body(sector)).data)
