"""API of the privacy app, on the same selectors and services as the pages: the catalogue with
anonymised usage counts, central DPIAs, products in use, local DPIAs and their workflow, the
processing register and the breach register."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.core.access import SIGNED_IN
from weerbaar.core.permissions import Action
from weerbaar.privacy import selectors, services
from weerbaar.privacy.choices import (
    CovenantStatus,
    Decision,
    DpaAnnex,
    DpiaNeed,
    LegalBasis,
    RiskLevel,
    Scale,
    SchoolMeasureKind,
    SpecialCondition,
    TransferMechanism,
    VendorMeasureStatus,
)
from weerbaar.privacy.models import (
    Breach,
    CentralDPIA,
    LocalDPIA,
    ProcessingActivity,
    Product,
    ProductUse,
)

# --- serializers ---------------------------------------------------------------------------------


class TransferSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=2)
    mechanism = serializers.ChoiceField(choices=TransferMechanism.choices)


class LocationSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    country = serializers.CharField(max_length=2)


class SubProcessorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2)


class ProductSerializer(serializers.ModelSerializer):
    """A catalogue product. Usage counts are anonymised: null when the group is too small."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    vendor = serializers.CharField(source="vendor.name", read_only=True)
    vendor_country = serializers.CharField(source="vendor.country", read_only=True)
    steward = serializers.CharField(source="steward.name", read_only=True)
    data_locations = LocationSerializer(many=True, read_only=True)
    transfers = TransferSerializer(many=True, read_only=True)
    sub_processors = SubProcessorSerializer(many=True, read_only=True)
    central_dpia = serializers.SerializerMethodField()
    organisations_using = serializers.SerializerMethodField()
    with_current_local_dpia = serializers.SerializerMethodField()
    used_by_me = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "vendor",
            "vendor_country",
            "steward",
            "name",
            "edition",
            "version",
            "description",
            "covenant_status",
            "covenant_since",
            "dpa_version",
            "dpa_annexes",
            "data_locations",
            "transfers",
            "sub_processors",
            "trackers",
            "ad_recipients",
            "central_dpia",
            "organisations_using",
            "with_current_local_dpia",
            "used_by_me",
        ]
        read_only_fields = fields

    def _counts(self, product):
        return selectors.anonymised_counts(product.use_count, product.current_count)

    def get_central_dpia(self, product) -> dict | None:
        if not product.central_id:
            return None
        return {"id": str(product.central_id), "version": product.central_number, "advice": product.central_advice}

    def get_organisations_using(self, product) -> int | None:
        return self._counts(product).users

    def get_with_current_local_dpia(self, product) -> int | None:
        return self._counts(product).current


class ProductWriteSerializer(StrictSerializer):
    steward = serializers.UUIDField(help_text=_("The sector organisation keeping the catalogue."))
    code = serializers.SlugField(max_length=80)
    vendor_name = serializers.CharField(max_length=200)
    vendor_country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    edition = serializers.CharField(max_length=100, required=False, allow_blank=True)
    version = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    covenant_status = serializers.ChoiceField(choices=CovenantStatus.choices, required=False)
    covenant_since = serializers.DateField(required=False, allow_null=True)
    dpa_version = serializers.CharField(max_length=20, required=False, allow_blank=True)
    dpa_annexes = serializers.ListField(child=serializers.ChoiceField(choices=DpaAnnex.choices), required=False)
    data_locations = LocationSerializer(many=True, required=False)
    transfers = TransferSerializer(many=True, required=False)
    sub_processors = SubProcessorSerializer(many=True, required=False)
    trackers = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=100)
    ad_recipients = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=100)


class RiskSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, required=False)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    likelihood = serializers.ChoiceField(choices=Scale.choices)
    impact = serializers.ChoiceField(choices=Scale.choices)
    level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)
    residual = serializers.ChoiceField(choices=RiskLevel.choices)


class VendorMeasureSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=VendorMeasureStatus.choices, required=False)


class SchoolMeasureSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, required=False)
    kind = serializers.ChoiceField(choices=SchoolMeasureKind.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)


class CentralSerializer(serializers.ModelSerializer):
    """One version of a central DPIA; the advice is high, medium or low risk (red, orange,
    green)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    product = serializers.CharField(source="product.code", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    colour = serializers.CharField(read_only=True)
    risks = RiskSerializer(many=True, read_only=True)
    vendor_measures = VendorMeasureSerializer(many=True, read_only=True)
    school_measures = SchoolMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = CentralDPIA
        fields = [
            "id",
            "product",
            "version",
            "product_version",
            "status",
            "assessed_on",
            "assessor",
            "advice",
            "colour",
            "advice_text",
            "summary",
            "published_at",
            "risks",
            "vendor_measures",
            "school_measures",
        ]
        read_only_fields = fields


class CentralCreateSerializer(StrictSerializer):
    product = serializers.UUIDField()
    product_version = serializers.CharField(max_length=50, required=False, allow_blank=True)
    assessed_on = serializers.DateField()
    assessor = serializers.CharField(max_length=200)
    advice = serializers.ChoiceField(choices=RiskLevel.choices)
    advice_text = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    risks = RiskSerializer(many=True, required=False)
    vendor_measures = VendorMeasureSerializer(many=True, required=False)
    school_measures = SchoolMeasureSerializer(many=True, required=False)


class AdviceChangeSerializer(StrictSerializer):
    advice = serializers.ChoiceField(choices=RiskLevel.choices)
    advice_text = serializers.CharField(allow_blank=True)


class UseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    product = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = ProductUse
        fields = ["id", "organisation", "product", "since", "edition", "decided_by"]
        read_only_fields = fields


class UseWriteSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    product = serializers.CharField(max_length=80, help_text=_("The product's catalogue code."))
    since = serializers.DateField(required=False, allow_null=True)
    edition = serializers.CharField(max_length=100, required=False, allow_blank=True)
    decided_by = serializers.CharField(max_length=200, required=False, allow_blank=True)


class OrganisationQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False)


class LocalSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    product = serializers.CharField(source="product.code", read_only=True, default=None)
    central_dpia = serializers.UUIDField(source="central.public_id", read_only=True, default=None)

    class Meta:
        model = LocalDPIA
        fields = [
            "id",
            "organisation",
            "title",
            "version",
            "status",
            "product",
            "central_dpia",
            "advised_on",
            "accepted_on",
            "review_due",
            "needs_review",
        ]
        read_only_fields = fields


class LocalCreateSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    central_dpia = serializers.UUIDField(required=False, help_text=_("Build on this published central DPIA."))


class LocalUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    data_description = serializers.CharField(required=False, allow_blank=True)
    legal_basis = serializers.ChoiceField(choices=[("", "-"), *LegalBasis.choices], required=False)
    lawfulness = serializers.CharField(required=False, allow_blank=True)
    measures_note = serializers.CharField(required=False, allow_blank=True)
    ap_types = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    edpb_criteria = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)


class AdviceSerializer(StrictSerializer):
    advice = serializers.CharField()
    advised_on = serializers.DateField()


class AcceptSerializer(StrictSerializer):
    accepted_on = serializers.DateField()
    review_due = serializers.DateField()
    residual_accepted = serializers.CharField(required=False, allow_blank=True)


class ActivitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    processors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    transfers = TransferSerializer(many=True, read_only=True)
    covering_dpia = serializers.UUIDField(source="covering_dpia.public_id", read_only=True, default=None)

    class Meta:
        model = ProcessingActivity
        fields = [
            "id",
            "organisation",
            "name",
            "purposes",
            "legal_basis",
            "special_condition",
            "data_subjects",
            "data_categories",
            "recipients",
            "processors",
            "transfers",
            "retention",
            "security_measures",
            "dpia_needed",
            "covering_dpia",
        ]
        read_only_fields = fields


class ActivityWriteSerializer(StrictSerializer):
    organisation = serializers.UUIDField(required=False)
    name = serializers.CharField(max_length=200)
    purposes = serializers.CharField()
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    special_condition = serializers.ChoiceField(choices=[("", "-"), *SpecialCondition.choices], required=False)
    data_subjects = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    data_categories = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    recipients = serializers.CharField(required=False, allow_blank=True)
    processors = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    transfers = TransferSerializer(many=True, required=False)
    retention = serializers.CharField(max_length=300, required=False, allow_blank=True)
    security_measures = serializers.CharField(required=False, allow_blank=True)
    dpia_needed = serializers.ChoiceField(choices=DpiaNeed.choices, required=False)
    covering_dpia = serializers.UUIDField(required=False, allow_null=True)


class BreachSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    incident = serializers.UUIDField(source="incident.public_id", read_only=True, default=None)

    class Meta:
        model = Breach
        fields = ["id", "organisation", "incident", *services.BREACH_FIELDS]
        read_only_fields = fields


class RegisterRowSerializer(serializers.Serializer):
    """A line of the breach register: a recorded breach, or an incident still to decide on."""

    breach = BreachSerializer(allow_null=True)
    incident = serializers.UUIDField(source="incident.public_id", allow_null=True, default=None)
    title = serializers.CharField()
    discovered_on = serializers.DateField(allow_null=True)


class BreachWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    occurred_on = serializers.DateField(required=False, allow_null=True)
    discovered_on = serializers.DateField(required=False)
    data_categories = serializers.CharField(max_length=500, required=False, allow_blank=True)
    people_affected = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    report_to_authority = serializers.ChoiceField(choices=Decision.choices, required=False)
    authority_reason = serializers.CharField(required=False, allow_blank=True)
    authority_reported_on = serializers.DateField(required=False, allow_null=True)
    inform_people = serializers.ChoiceField(choices=Decision.choices, required=False)
    people_reason = serializers.CharField(required=False, allow_blank=True)
    people_informed_on = serializers.DateField(required=False, allow_null=True)
    measures = serializers.CharField(required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


class BreachCreateSerializer(BreachWriteSerializer):
    organisation = serializers.UUIDField(required=False)
    incident = serializers.UUIDField(required=False, help_text=_("Record the decision on this incident."))


# --- viewsets ------------------------------------------------------------------------------------


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The catalogue serving your sectors; coordinators add and change their own products."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = ProductSerializer
    queryset = Product.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.list_products(self.request.user)

    def get_object(self):
        # access_product answers 404 alike for missing and out of reach; the list query adds counts.
        product = selectors.access_product(self.request.user, self.kwargs["id"])
        return self.get_queryset().get(pk=product.pk)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer}, summary="Save a product")
    def create(self, request):
        data = self.validated(ProductWriteSerializer)
        steward_id = data.pop("steward")
        steward = selectors.stewards_of(request.user).filter(public_id=steward_id).first()
        if steward is None:
            raise ValidationError({"steward": [_("You do not keep this catalogue.")]})
        product = services.save_product(actor=request.user, steward=steward, **data)
        return Response(ProductSerializer(self.get_queryset().get(pk=product.pk)).data, status=status.HTTP_201_CREATED)


class CentralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Central DPIA versions: published and older versions for the sectors, drafts for their
    coordinators. Publishing, a changed advice or a withdrawal tells every organisation using
    the product."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = CentralSerializer
    queryset = CentralDPIA.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return (
            selectors.readable_centrals(self.request.user)
            .select_related("product")
            .prefetch_related("risks", "vendor_measures", "school_measures")
            .order_by("product__name", "-number")
        )

    def get_object(self):
        return selectors.access_central(self.request.user, self.kwargs["id"])

    @extend_schema(request=CentralCreateSerializer, responses={201: CentralSerializer}, summary="Draft a version")
    def create(self, request):
        data = self.validated(CentralCreateSerializer)
        product = selectors.access_product(request.user, data.pop("product"), Action.PRIVACY_CATALOGUE)
        central = services.create_central_draft(actor=request.user, product=product, **data)
        return Response(CentralSerializer(central).data, status=status.HTTP_201_CREATED)

    def _keeper(self) -> CentralDPIA:
        return selectors.access_central(self.request.user, self.kwargs["id"], Action.PRIVACY_CATALOGUE)

    @extend_schema(request=None, responses=CentralSerializer, summary="Publish a draft")
    @action(detail=True, methods=["post"])
    def publish(self, request, id=None):
        return Response(CentralSerializer(services.publish_central(actor=request.user, central=self._keeper())).data)

    @extend_schema(request=None, responses=CentralSerializer, summary="Withdraw a version")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, id=None):
        return Response(CentralSerializer(services.withdraw_central(actor=request.user, central=self._keeper())).data)

    @extend_schema(request=AdviceChangeSerializer, responses=CentralSerializer, summary="Change the advice")
    @action(detail=True, methods=["post"])
    def advice(self, request, id=None):
        data = self.validated(AdviceChangeSerializer)
        central = services.change_advice(actor=request.user, central=self._keeper(), **data)
        return Response(CentralSerializer(central).data)


def _organisation(user, public_id, action_=Action.PRIVACY_VIEW):
    return selectors.access_privacy_organisation(user, public_id, action_)


class UseViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    """Products your organisations use."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = UseSerializer
    queryset = ProductUse.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        uses = ProductUse.objects.visible_to(self.request.user, Action.PRIVACY_VIEW).select_related(
            "organisation", "product"
        )
        organisation = self.query(OrganisationQuery).get("organisation")
        if organisation:
            uses = uses.filter(organisation=_organisation(self.request.user, organisation))
        return uses.order_by("product__name", "pk")

    @extend_schema(request=UseWriteSerializer, responses={201: UseSerializer}, summary="Record a product in use")
    def create(self, request):
        data = self.validated(UseWriteSerializer)
        organisation = _organisation(request.user, data.pop("organisation"), Action.PRIVACY_EDIT)
        product = selectors.catalogue_for(organisation).filter(code=data.pop("product")).first()
        if product is None:
            raise ValidationError({"product": [_("There is no product with this code for your sector.")]})
        use = services.record_use(actor=request.user, organisation=organisation, product=product, **data)
        return Response(UseSerializer(use).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, id=None):
        services.end_use(actor=request.user, use=selectors.access_use(request.user, id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LocalViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Local DPIAs of your organisations. The detail is the full document (as the JSON export)."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = LocalSummarySerializer
    queryset = LocalDPIA.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        organisation = self.query(OrganisationQuery).get("organisation")
        org = _organisation(self.request.user, organisation) if organisation else None
        return selectors.local_dpias(self.request.user, org)

    def _local(self, action_=Action.PRIVACY_VIEW) -> LocalDPIA:
        return selectors.access_local(self.request.user, self.kwargs["id"], action_)

    def _document(self, dpia: LocalDPIA) -> Response:
        return Response(services.local_json(selectors.access_local(self.request.user, dpia.public_id)))

    @extend_schema(responses={200: dict}, summary="The whole local DPIA")
    def retrieve(self, request, id=None):
        return self._document(self._local())

    @extend_schema(request=LocalCreateSerializer, responses={201: dict}, summary="Start a local DPIA")
    def create(self, request):
        data = self.validated(LocalCreateSerializer)
        organisation = _organisation(request.user, data["organisation"], Action.PRIVACY_EDIT)
        central = selectors.access_central(request.user, data["central_dpia"]) if data.get("central_dpia") else None
        dpia = services.start_local_dpia(
            actor=request.user, organisation=organisation, title=data["title"], central=central
        )
        return Response(services.local_json(dpia), status=status.HTTP_201_CREATED)

    @extend_schema(request=LocalUpdateSerializer, responses={200: dict}, summary="Change the texts and pre-scan")
    def partial_update(self, request, id=None):
        dpia = self._local(Action.PRIVACY_EDIT)
        services.update_local_dpia(actor=request.user, dpia=dpia, **self.validated(LocalUpdateSerializer))
        return self._document(dpia)

    @extend_schema(request=AdviceSerializer, responses={200: dict}, summary="The DPO's advice")
    @action(detail=True, methods=["post"])
    def advice(self, request, id=None):
        dpia = self._local(Action.PRIVACY_EDIT)
        services.record_advice(actor=request.user, dpia=dpia, **self.validated(AdviceSerializer))
        return self._document(dpia)

    @extend_schema(request=AcceptSerializer, responses={200: dict}, summary="Acceptance by a board member")
    @action(detail=True, methods=["post"])
    def accept(self, request, id=None):
        dpia = self._local(Action.PRIVACY_ACCEPT)
        services.accept_local_dpia(actor=request.user, dpia=dpia, **self.validated(AcceptSerializer))
        return self._document(dpia)

    @extend_schema(request=None, responses={201: dict}, summary="Start a new version of an accepted DPIA")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, id=None):
        new = services.new_local_version(actor=request.user, dpia=self._local(Action.PRIVACY_EDIT))
        return Response(services.local_json(new), status=status.HTTP_201_CREATED)


class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The register of processing activities of your organisations."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = ActivitySerializer
    queryset = ProcessingActivity.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        organisation = self.query(OrganisationQuery).get("organisation")
        activities = ProcessingActivity.objects.visible_to(self.request.user, Action.PRIVACY_VIEW)
        if organisation:
            activities = activities.filter(organisation=_organisation(self.request.user, organisation))
        return (
            activities.select_related("organisation", "covering_dpia")
            .prefetch_related("processors")
            .order_by("name", "pk")
        )

    def get_object(self):
        return selectors.access_activity(self.request.user, self.kwargs["id"])

    def _values(self, organisation, data: dict) -> dict:
        data = dict(data)
        data.pop("organisation", None)
        data["processor_codes"] = data.pop("processors", [])
        covering = data.pop("covering_dpia", None)
        data["covering_dpia"] = selectors.access_local(self.request.user, covering) if covering else None
        return data

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer}, summary="Add an activity")
    def create(self, request):
        data = self.validated(ActivityWriteSerializer)
        if not data.get("organisation"):
            raise ValidationError({"organisation": [_("This field is required.")]})
        organisation = _organisation(request.user, data["organisation"], Action.PRIVACY_EDIT)
        activity = services.save_activity(
            actor=request.user, organisation=organisation, **self._values(organisation, data)
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer, summary="Change an activity")
    def update(self, request, id=None):
        activity = selectors.access_activity(request.user, id, Action.PRIVACY_EDIT)
        data = self.validated(ActivityWriteSerializer)
        activity = services.save_activity(
            actor=request.user,
            organisation=activity.organisation,
            activity=activity,
            **self._values(activity.organisation, data),
        )
        return Response(ActivitySerializer(activity).data)

    def destroy(self, request, id=None):
        services.delete_activity(
            actor=request.user, activity=selectors.access_activity(request.user, id, Action.PRIVACY_EDIT)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BreachViewSet(ScopedViewSet):
    """The breach register of an organisation: each breach once, whether entered here or
    reported on the incident desk."""

    access_rule = Action.PRIVACY_VIEW
    serializer_class = RegisterRowSerializer
    queryset = Breach.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    class Query(QuerySerializer):
        organisation = serializers.UUIDField()

    @extend_schema(parameters=[Query], responses=RegisterRowSerializer(many=True), summary="The breach register")
    def list(self, request):
        organisation = _organisation(request.user, self.query(self.Query)["organisation"])
        rows = selectors.breach_register(request.user, organisation)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RegisterRowSerializer(page, many=True).data)

    @extend_schema(request=BreachCreateSerializer, responses={201: BreachSerializer}, summary="Enter a breach")
    def create(self, request):
        data = self.validated(BreachCreateSerializer)
        incident_id = data.pop("incident", None)
        organisation_id = data.pop("organisation", None)
        if incident_id:
            incident = selectors.access_breach_incident(request.user, incident_id)
            breach = services.decide_on_incident(actor=request.user, incident=incident, **data)
        else:
            if not organisation_id:
                raise ValidationError({"organisation": [_("This field is required.")]})
            organisation = _organisation(request.user, organisation_id, Action.PRIVACY_EDIT)
            breach = services.record_breach(actor=request.user, organisation=organisation, **data)
        return Response(BreachSerializer(breach).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BreachWriteSerializer, responses=BreachSerializer, summary="Change a breach")
    def partial_update(self, request, id=None):
        breach = selectors.access_breach(request.user, id, Action.PRIVACY_EDIT)
        breach = services.update_breach(actor=request.user, breach=breach, **self.validated(BreachWriteSerializer))
        return Response(BreachSerializer(breach).data)


class SectorRowSerializer(serializers.Serializer):
    product = serializers.CharField(source="product.code")
    name = serializers.CharField(source="product.name")
    organisations_using = serializers.IntegerField(source="counts.users", allow_null=True)
    with_current_local_dpia = serializers.IntegerField(source="counts.current", allow_null=True)


class SectorViewSet(ScopedViewSet):
    """Anonymised use per product: counts of groups smaller than the benchmark minimum are null."""

    access_rule = SIGNED_IN
    serializer_class = SectorRowSerializer
    queryset = Product.objects.none()

    @extend_schema(responses=SectorRowSerializer(many=True), summary="Use per product, anonymised")
    def list(self, request):
        products = selectors.list_products(request.user).order_by("-use_count", "name")
        page = self.paginate_queryset(products)
        rows = [{"product": p, "counts": selectors.anonymised_counts(p.use_count, p.current_count)} for p in page]
        return self.get_paginated_response(SectorRowSerializer(rows, many=True).data)
