"""Read-only API of the catalogue: frameworks, their versions and norms. The same selectors as
the pages; changes go through the pages (or `manage.py import_framework`), never through here."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers

from weerbaar.api.base import ScopedViewSet
from weerbaar.core.access import SIGNED_IN
from weerbaar.frameworks import selectors
from weerbaar.frameworks.choices import VersionStatus
from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Norm


class VersionSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = ["id", "label", "status", "released", "scored"]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    """A framework (normenkader) or reference list, with the versions you may see."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    maintainer = serializers.UUIDField(
        source="maintainer.public_id",
        default=None,
        read_only=True,
        allow_null=True,
        help_text=_("The organisation whose sector coordinators maintain it; empty for shipped frameworks."),
    )
    versions = VersionSummarySerializer(source="visible_versions", many=True, read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "name_nl",
            "name_en",
            "owner",
            "sectors",
            "description_nl",
            "description_en",
            "maintainer",
            "versions",
        ]
        read_only_fields = fields


class DomainSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Domain
        fields = [
            "id",
            "code",
            "part",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "position",
        ]
        read_only_fields = fields


class FrameworkVersionSerializer(serializers.ModelSerializer):
    """One version of a framework. A published version never changes."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    framework = serializers.UUIDField(source="framework.public_id", read_only=True)
    framework_code = serializers.CharField(source="framework.code", read_only=True)
    derived_from = serializers.UUIDField(source="derived_from.public_id", default=None, read_only=True, allow_null=True)
    domains = DomainSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = [
            "id",
            "framework",
            "framework_code",
            "label",
            "status",
            "released",
            "scored",
            "source_note_nl",
            "source_note_en",
            "published_at",
            "derived_from",
            "domains",
        ]
        read_only_fields = fields


class BilingualSerializer(serializers.Serializer):
    nl = serializers.CharField()
    en = serializers.CharField(required=False)


class NormSerializer(serializers.ModelSerializer):
    """A norm with its texts in Dutch and English, the five level descriptions (keys "1".."5";
    empty for reference lists), example measures and references."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.UUIDField(source="version.public_id", read_only=True)
    domain = serializers.UUIDField(source="domain.public_id", read_only=True)
    domain_code = serializers.CharField(source="domain.code", read_only=True)
    levels = serializers.DictField(child=BilingualSerializer(), read_only=True)
    target_measures = BilingualSerializer(many=True, read_only=True)
    references = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Norm
        fields = [
            "id",
            "version",
            "domain",
            "domain_code",
            "code",
            "id_confirmed",
            "title_nl",
            "title_en",
            "statement_nl",
            "statement_en",
            "rationale_nl",
            "rationale_en",
            "levels",
            "target_measures",
            "references",
            "position",
        ]
        read_only_fields = fields


class MappedNormSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="norm.public_id")
    framework_code = serializers.CharField(source="norm.version.framework.code")
    version = serializers.CharField(source="norm.version.label")
    code = serializers.CharField(source="norm.code")
    title_nl = serializers.CharField(source="norm.title_nl")
    title_en = serializers.CharField(source="norm.title_en")
    relation = serializers.CharField(help_text=_("How the asked norm relates to this one."))


class NormDetailSerializer(NormSerializer):
    mapped = serializers.SerializerMethodField(help_text=_("Norms of other frameworks mapped to this one."))

    class Meta(NormSerializer.Meta):
        fields = [*NormSerializer.Meta.fields, "mapped"]
        read_only_fields = fields

    @extend_schema_field(MappedNormSerializer(many=True))
    def get_mapped(self, norm) -> list[dict]:
        return MappedNormSerializer(selectors.mapped_norms(norm), many=True).data


def _uuid_param(request, name: str):
    """A UUID query parameter, or None; a malformed one is a 400 naming it."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    field = serializers.UUIDField()
    try:
        return field.to_internal_value(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


SEARCH = OpenApiParameter("search", str, description="Part of a code, name or text (at most 100 characters).")


@extend_schema_view(
    list=extend_schema(summary="Frameworks", parameters=[SEARCH]),
    retrieve=extend_schema(summary="One framework"),
)
class FrameworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Frameworks with at least one version you may see (every published one; drafts only for
    the sector coordinators who maintain the framework)."""

    access_rule = SIGNED_IN
    serializer_class = FrameworkSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        search = self.request.query_params.get("search", "")[:100]
        return selectors.list_frameworks(self.request.user, search=search).select_related("maintainer")

    def get_object(self):
        return selectors.access_framework(self.request.user, self.kwargs["id"])


@extend_schema_view(
    list=extend_schema(
        summary="Framework versions",
        parameters=[
            OpenApiParameter("framework", str, description="Only the versions of this framework (its id)."),
            OpenApiParameter(
                "status",
                str,
                enum=VersionStatus.values,
                description="Only drafts or published versions.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One framework version with its domains"),
)
class FrameworkVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = SIGNED_IN
    serializer_class = FrameworkVersionSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        versions = selectors.visible_versions(self.request.user).select_related("framework", "derived_from")
        framework = _uuid_param(self.request, "framework")
        if framework:
            versions = versions.filter(framework__public_id=framework)
        status = self.request.query_params.get("status")
        if status:
            if status not in VersionStatus.values:
                raise serializers.ValidationError({"status": [_("Use draft or published.")]})
            versions = versions.filter(status=status)
        return versions.prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("position"))).order_by(
            "framework__code", "-created_at"
        )

    def get_object(self):
        return selectors.access_version(self.request.user, self.kwargs["id"])


@extend_schema_view(
    list=extend_schema(
        summary="Norms",
        parameters=[
            OpenApiParameter("version", str, description="Only the norms of this framework version (its id)."),
            OpenApiParameter("domain", str, description="Only the norms of this domain (its id)."),
            SEARCH,
        ],
    ),
    retrieve=extend_schema(summary="One norm with the norms mapped to it"),
)
class NormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = SIGNED_IN
    serializer_class = NormSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_serializer_class(self):
        return NormDetailSerializer if self.action == "retrieve" else NormSerializer

    def get_queryset(self):
        request = self.request
        search = request.query_params.get("search", "")[:100]
        version_id, domain_id = _uuid_param(request, "version"), _uuid_param(request, "domain")
        if version_id:
            version = selectors.access_version(request.user, version_id)
            domain = None
            if domain_id:
                domain = version.domains.filter(public_id=domain_id).first()
                if domain is None:
                    return Norm.objects.none()
            return selectors.norms_of_version(version, search=search, domain=domain).select_related("version")
        norms = Norm.objects.filter(version__in=selectors.visible_versions(request.user).values("pk"))
        if domain_id:
            norms = norms.filter(domain__public_id=domain_id)
        if search:
            norms = norms.filter(
                Q(code__icontains=search) | Q(title_nl__icontains=search) | Q(title_en__icontains=search)
            )
        return norms.select_related("version", "domain").order_by("version_id", "domain__position", "position")

    def get_object(self):
        return selectors.access_norm(self.request.user, self.kwargs["id"])
