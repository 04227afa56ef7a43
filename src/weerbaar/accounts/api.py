"""API for the signed-in user and their personal access tokens."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from weerbaar.accounts import selectors, services
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.api.base import ApiViewMixin, ScopedViewSet, StrictSerializer
from weerbaar.api.permissions import SessionOnlyPermission, TokenScopePermission
from weerbaar.core.access import SIGNED_IN
from weerbaar.core.permissions import Role
from weerbaar.organisations.selectors import list_own_memberships

TOKEN_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The token's id.")


class TokenSerializer(serializers.ModelSerializer):
    """A personal access token, without its secret."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PersonalAccessToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class TokenCreateSerializer(StrictSerializer):
    """What a new token is called, what it may do and how long it lives."""

    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=PersonalAccessToken.Scope.choices, default=PersonalAccessToken.Scope.READ)
    # The upper bound is the WEERBAAR_API_TOKEN_MAX_DAYS setting, which the service enforces.
    days_valid = serializers.IntegerField(
        min_value=1,
        default=90,
        help_text=_("Days until the token expires (at most 365 by default)."),
    )


class TokenCreatedSerializer(TokenSerializer):
    """A token just created: the only answer that ever holds the full token."""

    token = serializers.CharField(read_only=True, help_text=_("The full token. It is shown only once."))

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class OwnMembershipSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.public_id")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    """The person a token or session belongs to, with their roles."""

    id = serializers.UUIDField(source="public_id")
    email = serializers.EmailField()
    name = serializers.CharField(source="full_name")
    memberships = serializers.SerializerMethodField()

    @extend_schema_field(OwnMembershipSerializer(many=True))
    def get_memberships(self, user) -> list[dict]:
        return OwnMembershipSerializer(list_own_memberships(user), many=True).data


class MeView(ApiViewMixin, APIView):
    """Who the token or session belongs to, and their roles in which organisations."""

    access_rule = SIGNED_IN

    @extend_schema(responses=MeSerializer, summary="Who the token or session belongs to")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


@extend_schema_view(list=extend_schema(summary="Your API tokens"))
class PersonalAccessTokenViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Tokens belong to a person, not an organisation: each user sees only their own."""

    access_rule = SIGNED_IN
    serializer_class = TokenSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.list_api_tokens(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [TokenScopePermission(), SessionOnlyPermission()]
        return super().get_permissions()

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        summary="Create a token",
        description="Only from a signed-in browser session. The answer holds the full token, once.",
    )
    def create(self, request):
        data = self.validated(TokenCreateSerializer)
        token, full = services.create_api_token(actor=request.user, **data)
        body = TokenSerializer(token).data
        body["token"] = full
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=TokenSerializer,
        parameters=[TOKEN_ID],
        summary="Revoke a token",
        description="Revoking is immediate and final; revoking a revoked token changes nothing.",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, id=None):
        token = selectors.access_api_token(request.user, id)
        services.revoke_api_token(actor=request.user, token=token)
        return Response(TokenSerializer(token).data)
