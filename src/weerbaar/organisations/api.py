"""API for organisations, memberships and the audit log, on the same selectors and services as
the pages."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Action, Role
from weerbaar.organisations import selectors, services
from weerbaar.organisations.choices import OrganisationKind, SectorCode
from weerbaar.organisations.models import Membership, Organisation

SEARCH_HELP = _("Part of a name or e-mail address (at most 100 characters).")


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation: a school board, institution, school, CERT, council, ministry, inspectorate
    or audit firm."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    sector = serializers.ChoiceField(
        source="sector.code",
        choices=SectorCode.choices,
        default=None,
        read_only=True,
        allow_null=True,
    )
    parent = serializers.UUIDField(
        source="parent.public_id",
        default=None,
        read_only=True,
        allow_null=True,
        help_text=_("For a school: the id of its board."),
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "sector",
            "parent",
            "board_number",
            "brin",
            "student_count",
            "is_funded",
        ]
        read_only_fields = fields


class OrganisationQuery(QuerySerializer):
    search = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("Part of the name, or an exact BRIN code or board number."),
    )
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    sector = serializers.ChoiceField(choices=SectorCode.choices, required=False)
    parent = serializers.UUIDField(required=False, help_text=_("Only the schools of this board."))


class OrganisationUpdateSerializer(StrictSerializer):
    """The details of an organisation that its own managers may change."""

    name = serializers.CharField(max_length=200, required=False)
    student_count = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    board_number = serializers.CharField(max_length=5, required=False, allow_blank=True)
    brin = serializers.CharField(max_length=6, required=False, allow_blank=True)


class MembershipSerializer(serializers.ModelSerializer):
    """A person's role in an organisation."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "email", "name", "role", "is_active", "created_at"]
        read_only_fields = fields


class MembershipQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False, help_text=_("Only the members of this organisation."))
    search = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text=SEARCH_HELP)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text=_("Only active (true) or only ended (false) memberships."),
    )


class InviteSerializer(StrictSerializer):
    """Whom to give which role where. A person without an account gets an e-mail invitation."""

    organisation = serializers.UUIDField()
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RoleChangeSerializer(StrictSerializer):
    """The member's new role."""

    role = serializers.ChoiceField(choices=Role.choices)


class AuditEntrySerializer(serializers.ModelSerializer):
    """One recorded change. `hash` chains the entry to the one before it."""

    changes = serializers.JSONField(
        read_only=True, help_text=_("What changed: per field, [old, new], or the values set.")
    )

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "created_at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "hash",
        ]
        read_only_fields = fields


class AuditEntryQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False, help_text=_("Only the entries of this organisation."))
    search = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("Part of the action, the actor's e-mail address or the object's name."),
    )


@extend_schema_view(
    list=extend_schema(summary="Organisations you may see", parameters=[OrganisationQuery]),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Organisations within the reach of the user's roles: their own, a board's schools, a CERT's
    or coordinator's constituency."""

    access_rule = Action.ORGANISATION_VIEW
    serializer_class = OrganisationSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.list_organisations(self.request.user, **self.query(OrganisationQuery))

    def get_object(self):
        return selectors.access_organisation(self.request.user, self.kwargs["id"])

    @extend_schema(
        request=OrganisationUpdateSerializer,
        responses=OrganisationSerializer,
        summary="Change an organisation's details",
    )
    def partial_update(self, request, id=None):
        organisation = selectors.access_organisation(request.user, id, Action.ORGANISATION_CHANGE)
        data = self.validated(OrganisationUpdateSerializer)
        services.update_organisation(actor=request.user, organisation=organisation, **data)
        return Response(OrganisationSerializer(organisation).data)


@extend_schema_view(
    list=extend_schema(summary="Memberships you may see", parameters=[MembershipQuery]),
    retrieve=extend_schema(summary="One membership"),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """People's roles in the organisations whose members the user may see."""

    access_rule = Action.MEMBER_VIEW
    serializer_class = MembershipSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(MembershipQuery)
        organisation_id = params.pop("organisation", None)
        organisation = (
            selectors.access_organisation(self.request.user, organisation_id, Action.MEMBER_VIEW)
            if organisation_id
            else None
        )
        return selectors.list_all_members(self.request.user, organisation, **params)

    def get_object(self):
        return selectors.access_membership(self.request.user, self.kwargs["id"])

    @extend_schema(
        request=InviteSerializer,
        responses={201: MembershipSerializer},
        summary="Invite a person with a role",
    )
    def create(self, request):
        data = self.validated(InviteSerializer)
        try:
            organisation = selectors.access_organisation(request.user, data["organisation"], Action.MEMBER_MANAGE)
        except Http404:
            # Alike for an organisation that does not exist and one the user may not manage.
            raise ValidationError(
                {"organisation": [_("No organisation with this id where you may invite people.")]}
            ) from None
        membership = services.invite_member(
            actor=request.user,
            organisation=organisation,
            email=data["email"],
            role=data["role"],
            full_name=data["name"],
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RoleChangeSerializer,
        responses=MembershipSerializer,
        summary="Change a member's role",
    )
    def partial_update(self, request, id=None):
        membership = selectors.access_membership(request.user, id, Action.MEMBER_MANAGE)
        data = self.validated(RoleChangeSerializer)
        services.change_member_role(actor=request.user, membership=membership, role=data["role"])
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MembershipSerializer, summary="End a membership")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, id=None):
        """The person loses this role; without any role left, their account is closed as well."""
        membership = selectors.access_membership(request.user, id, Action.MEMBER_MANAGE)
        services.deactivate_member(actor=request.user, membership=membership)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MembershipSerializer, summary="Restore an ended membership")
    @action(detail=True, methods=["post"])
    def reactivate(self, request, id=None):
        """The person gets this role back, and their account is opened again if it was closed."""
        membership = selectors.access_membership(request.user, id, Action.MEMBER_MANAGE)
        services.reactivate_member(actor=request.user, membership=membership)
        return Response(MembershipSerializer(membership).data)


@extend_schema_view(
    list=extend_schema(summary="Audit log of the organisations you manage", parameters=[AuditEntryQuery])
)
class AuditEntryViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Recorded changes, newest first, of the organisations whose audit log the user may read."""

    access_rule = Action.AUDIT_LOG_VIEW
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        params = self.query(AuditEntryQuery)
        organisation_id = params.pop("organisation", None)
        organisation = (
            selectors.access_organisation(self.request.user, organisation_id, Action.AUDIT_LOG_VIEW)
            if organisation_id
            else None
        )
        return selectors.list_audit_entries(self.request.user, organisation, **params)
