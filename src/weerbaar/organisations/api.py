"""API for organisations, memberships and the audit log: same selectors and services as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from weerbaar.api.base import ScopedViewSet, StrictSerializer
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Action, Role
from weerbaar.organisations import selectors, services
from weerbaar.organisations.models import Membership, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sector = serializers.CharField(source="sector.code", default=None, read_only=True)
    parent = serializers.UUIDField(source="parent.public_id", default=None, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "sector", "parent", "board_number", "brin", "student_count", "is_funded"]
        read_only_fields = fields


class OrganisationUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    student_count = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    board_number = serializers.CharField(max_length=5, required=False, allow_blank=True)
    brin = serializers.CharField(max_length=6, required=False, allow_blank=True)


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "email", "name", "role", "is_active", "created_at"]
        read_only_fields = fields


class InviteSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RoleChangeSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["seq", "created_at", "actor_label", "action", "object_type", "object_id", "object_label", "changes", "hash"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Organisations you may see"),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.ORGANISATION_VIEW
    serializer_class = OrganisationSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.list_organisations(self.request.user, search=self.request.query_params.get("search", "")[:100])

    def get_object(self):
        return selectors.access_organisation(self.request.user, self.kwargs["id"])

    @extend_schema(request=OrganisationUpdateSerializer, responses=OrganisationSerializer, summary="Change an organisation's details")
    def partial_update(self, request, id=None):
        organisation = selectors.access_organisation(request.user, id, Action.ORGANISATION_CHANGE)
        data = OrganisationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_organisation(actor=request.user, organisation=organisation, **data.validated_data)
        return Response(OrganisationSerializer(organisation).data)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    access_rule = Action.MEMBER_VIEW
    serializer_class = MembershipSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        organisation_id = self.request.query_params.get("organisation")
        if not organisation_id:
            return selectors.list_all_members(self.request.user)
        organisation = selectors.access_organisation(self.request.user, organisation_id, Action.MEMBER_VIEW)
        return selectors.list_members(self.request.user, organisation, search=self.request.query_params.get("search", "")[:100])

    def get_object(self):
        return selectors.access_membership(self.request.user, self.kwargs["id"])

    @extend_schema(request=InviteSerializer, responses={201: MembershipSerializer}, summary="Invite a person with a role")
    def create(self, request):
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = selectors.access_organisation(request.user, data.validated_data["organisation"], Action.MEMBER_MANAGE)
        membership = services.invite_member(
            actor=request.user, organisation=organisation, email=data.validated_data["email"],
            role=data.validated_data["role"], full_name=data.validated_data["name"],
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoleChangeSerializer, responses=MembershipSerializer, summary="Change a member's role")
    def partial_update(self, request, id=None):
        membership = selectors.access_membership(request.user, id, Action.MEMBER_MANAGE)
        data = RoleChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_member_role(actor=request.user, membership=membership, role=data.validated_data["role"])
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MembershipSerializer, summary="Deactivate a membership")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, id=None):
        membership = selectors.access_membership(request.user, id, Action.MEMBER_MANAGE)
        services.deactivate_member(actor=request.user, membership=membership)
        return Response(MembershipSerializer(membership).data)


class AuditEntryViewSet(mixins.ListModelMixin, ScopedViewSet):
    access_rule = Action.AUDIT_LOG_VIEW
    serializer_class = AuditEntrySerializer

    @extend_schema(summary="Audit log of an organisation you manage")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        organisation_id = self.request.query_params.get("organisation")
        organisation = (
            selectors.access_organisation(self.request.user, organisation_id, Action.AUDIT_LOG_VIEW)
            if organisation_id
            else None
        )
        return selectors.list_audit_entries(self.request.user, organisation)
