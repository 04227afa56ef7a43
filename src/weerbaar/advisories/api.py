"""The API of the advisories app: advisories (TLP-scoped) with the CSAF document, taking in a CSAF
document, my exposures and answers, the CERT's counts, and the software lists."""

import json
import re
import uuid

from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from weerbaar.advisories import csafdoc, iocs, selectors, services
from weerbaar.advisories.choices import AnswerState, Source, Tlp
from weerbaar.advisories.models import Advisory, InventoryItem
from weerbaar.api.base import ApiViewMixin, QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.core.access import SIGNED_IN
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, access, visible_organisations
from weerbaar.organisations.models import Organisation


class AdvisorySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    matches_me = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Advisory
        fields = [
            "id",
            "tracking_id",
            "version",
            "title",
            "publisher_name",
            "tlp",
            "initial_release",
            "current_release",
            "cves",
            "cvss_max",
            "severity",
            "kans",
            "schade",
            "exploited",
            "summary",
            "matches_me",
        ]


class ExposureSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.public_id")
    item = serializers.UUIDField(source="item.public_id")
    item_name = serializers.CharField(source="item.__str__")
    product = serializers.CharField(source="product.name")
    version_range = serializers.CharField(source="product.version_range")
    tier = serializers.IntegerField()
    tier_label = serializers.CharField(source="get_tier_display")
    found_at = serializers.DateTimeField()


class AnswerSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.public_id")
    state = serializers.ChoiceField(choices=AnswerState.choices)
    patched_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class AnswerWriteSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    state = serializers.ChoiceField(choices=AnswerState.choices)
    patched_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class CountsSerializer(serializers.Serializer):
    affected = serializers.IntegerField()
    possibly = serializers.IntegerField()
    answered = serializers.IntegerField()
    not_affected = serializers.IntegerField()
    mitigating = serializers.IntegerField()
    patched = serializers.IntegerField()
    timeline = serializers.ListField(child=serializers.DictField())


class ImportSerializer(StrictSerializer):
    owner = serializers.UUIDField()
    document = serializers.JSONField(help_text="The CSAF 2.0 document.")
    default_tlp = serializers.ChoiceField(choices=Tlp.choices, required=False, allow_null=True, default=None)


class AdvisoryQuery(QuerySerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    matched = serializers.BooleanField(required=False, default=False)


def _refused(exc: csafdoc.CsafError) -> ValidationError:
    return ValidationError({"document": [f"{exc.test}: {exc.detail}"[:1000]]})


class AdvisoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Advisories the caller may read under their TLP label; those that match the caller's own
    institutions first."""

    access_rule = SIGNED_IN
    serializer_class = AdvisorySerializer
    queryset = Advisory.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(AdvisoryQuery)
        return selectors.advisory_list(self.request.user, matched_only=params["matched"], query=params["q"])

    def get_object(self):
        return selectors.advisory_for(self.request.user, self.kwargs["id"])

    @extend_schema(request=ImportSerializer, responses={201: AdvisorySerializer, 200: AdvisorySerializer})
    def create(self, request):
        """Take in a CSAF 2.0 document for an organisation the caller publishes for. A refused
        document answers 400 naming the failed test; nothing is kept."""
        data = self.validated(ImportSerializer)
        owner = Organisation.objects.filter(
            pk__in=visible_organisations(request.user, Action.ADVISORY_PUBLISH).values("pk"),
            public_id=data["owner"],
        ).first()
        if owner is None:
            raise ValidationError({"owner": ["You cannot publish for this organisation."]})
        raw = json.dumps(data["document"], ensure_ascii=False).encode("utf-8")
        try:
            result = services.import_document(
                actor=request.user, raw=raw, owner=owner, source=Source.UPLOAD, default_tlp=data["default_tlp"]
            )
        except csafdoc.CsafError as exc:
            raise _refused(exc) from None
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(AdvisorySerializer(result.advisory).data, status=code)

    @extend_schema(responses={(200, "application/json"): dict})
    @action(detail=True, methods=["get"])
    def csaf(self, request, id=None):
        advisory = self.get_object()
        return HttpResponse(bytes(advisory.raw), content_type="application/json")

    @extend_schema(responses=ExposureSerializer(many=True))
    @action(detail=True, methods=["get"])
    def exposures(self, request, id=None):
        """The matches of this advisory with the caller's own institutions' software."""
        advisory = self.get_object()
        return Response(ExposureSerializer(selectors.exposures_of(request.user, advisory), many=True).data)

    @extend_schema(request=AnswerWriteSerializer, responses=AnswerSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def answers(self, request, id=None):
        """The caller's institutions' answers; POST answers for one of them."""
        advisory = self.get_object()
        if request.method == "POST":
            data = self.validated(AnswerWriteSerializer)
            organisation = (
                selectors.answering_organisations(request.user).filter(public_id=data["organisation"]).first()
            )
            if organisation is None:
                raise ValidationError({"organisation": ["You cannot answer for this organisation."]})
            try:
                services.answer(
                    actor=request.user,
                    advisory=advisory,
                    organisation=organisation,
                    state=data["state"],
                    patched_on=data.get("patched_on"),
                    note=data["note"],
                )
            except services.InputRefusedError as exc:
                raise ValidationError({"state": exc.errors}) from None
        return Response(AnswerSerializer(selectors.answers_of(request.user, advisory), many=True).data)

    @extend_schema(responses=CountsSerializer)
    @action(detail=True, methods=["get"])
    def constituency(self, request, id=None):
        """For a CERT: counts of its constituency for this advisory (no names)."""
        advisory = self.get_object()
        counts = selectors.constituency_exposure(request.user, advisory)
        if counts is None:
            raise Http404
        return Response(
            {
                "affected": counts.affected,
                "possibly": counts.possibly,
                "answered": counts.answered,
                "not_affected": counts.not_affected,
                "mitigating": counts.mitigating,
                "patched": counts.patched,
                "timeline": [
                    {"date": day.isoformat(), "matched": m, "answered": a, "patched": p}
                    for day, m, a, p in counts.timeline
                ],
            }
        )


class InventoryItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)

    class Meta:
        model = InventoryItem
        fields = ["id", "organisation", "vendor", "product", "version", "cpe", "purl"]


class InventoryItemWriteSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    vendor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    product = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    cpe = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    purl = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class InventoryQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False)


class InventoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The software lists of the caller's own institutions."""

    access_rule = Action.ADVISORY_VIEW
    serializer_class = InventoryItemSerializer
    queryset = InventoryItem.objects.none()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(InventoryQuery)
        items = InventoryItem.objects.visible_to(self.request.user, Action.ADVISORY_VIEW).filter(
            organisation__in=selectors.inventory_organisations(self.request.user).values("pk")
        )
        if params.get("organisation"):
            items = items.filter(organisation__public_id=params["organisation"])
        return items.select_related("organisation").order_by("vendor", "product", "pk")

    def get_object(self):
        return access(
            InventoryItem.objects.filter(organisation__in=selectors.inventory_organisations(self.request.user)),
            self.request.user,
            Action.ADVISORY_VIEW,
            public_id=self.kwargs["id"],
        )

    @extend_schema(request=InventoryItemWriteSerializer, responses={201: InventoryItemSerializer})
    def create(self, request):
        data = self.validated(InventoryItemWriteSerializer)
        organisation = (
            selectors.answering_organisations(request.user).filter(public_id=data.pop("organisation")).first()
        )
        if organisation is None:
            raise ValidationError({"organisation": ["You cannot change this organisation's list."]})
        try:
            item = services.add_item(actor=request.user, organisation=organisation, **data)
        except services.InputRefusedError as exc:
            raise ValidationError({"product": exc.errors}) from None
        return Response(InventoryItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, id=None):
        item = access(InventoryItem.objects.all(), request.user, Action.ADVISORY_ACKNOWLEDGE, public_id=id)
        try:
            services.remove_item(actor=request.user, item=item)
        except NotPermitted:
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- indicators of compromise ---------------------------------------------------------------------

_TLP_SLUGS = {"clear": "clear", "green": "green", "amber": "amber", "amber-strict": "amber+strict"}
FEED_CREATOR = "Weerbaar"
FEED_CREATOR_ID = uuid.uuid5(iocs.NAMESPACE, "weerbaar-feed")


class IndicatorImportSerializer(StrictSerializer):
    owner = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=[("stix", "STIX 2.1 bundle"), ("misp", "MISP event")])
    tlp = serializers.ChoiceField(choices=Tlp.choices, help_text="Label for indicators that carry none.")
    content = serializers.JSONField(help_text="The bundle or event itself.")


class IndicatorImportResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    skipped = serializers.IntegerField()


def _tlp(slug: str) -> str:
    tlp = _TLP_SLUGS.get(slug)
    if tlp is None:
        # TLP:RED indicators are never published in bulk.
        raise Http404
    return tlp


class IndicatorFeedViewSet(ScopedViewSet):
    """Indicators of compromise for institutions' own tools: a STIX 2.1 bundle and a MISP feed
    directory per TLP level (clear, green, amber, amber-strict), each holding only what the
    token's owner may read. TLP:RED is never in a feed."""

    access_rule = SIGNED_IN
    queryset = Advisory.objects.none()
    pagination_class = None

    @extend_schema(responses={(200, "application/stix+json"): dict})
    @action(detail=False, methods=["get"], url_path=r"stix/(?P<tlp>[a-z\-]+)")
    def stix(self, request, tlp=None):
        level = _tlp(tlp)
        body = iocs.stix_bundle(selectors.feed_indicators(request.user, level), creator_name=FEED_CREATOR, tlp=level)
        return HttpResponse(json.dumps(body, indent=1), content_type="application/stix+json;version=2.1")

    @extend_schema(request=IndicatorImportSerializer, responses={201: IndicatorImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        """Share the indicators of a STIX 2.1 bundle or a MISP event, for a CERT."""
        data = self.validated(IndicatorImportSerializer)
        owner = Organisation.objects.filter(
            pk__in=visible_organisations(request.user, Action.ADVISORY_PUBLISH).values("pk"),
            public_id=data["owner"],
        ).first()
        if owner is None:
            raise ValidationError({"owner": ["You cannot share for this organisation."]})
        raw = json.dumps(data["content"]).encode()
        try:
            added, skipped = services.import_indicators(
                actor=request.user, owner=owner, raw=raw, kind=data["kind"], tlp=data["tlp"]
            )
        except iocs.IocError as exc:
            raise ValidationError({"content": [str(exc)]}) from None
        return Response({"added": added, "skipped": skipped}, status=status.HTTP_201_CREATED)


class MispFeedView(ApiViewMixin, APIView):
    """A MISP feed directory per TLP level (clear, green, amber, amber-strict): manifest.json,
    hashes.csv and one <uuid>.json per event, at the file names MISP asks for (no trailing
    slash), holding only what the token's owner may read."""

    access_rule = SIGNED_IN

    @extend_schema(responses={(200, "application/json"): dict})
    def get(self, request, tlp, name):
        level = _tlp(tlp)
        if not re.fullmatch(r"manifest\.json|hashes\.csv|[0-9a-f\-]{36}\.json", name):
            raise Http404
        files = iocs.misp_feed(
            selectors.feed_indicators(request.user, level),
            creator_name=FEED_CREATOR,
            creator_id=FEED_CREATOR_ID,
            tlp=level,
        )
        if name not in files:
            raise Http404
        content_type = "text/csv" if name.endswith(".csv") else "application/json"
        return HttpResponse(files[name], content_type=content_type)
