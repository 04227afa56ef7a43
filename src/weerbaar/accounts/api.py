"""API for the signed-in user and their personal access tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from weerbaar.accounts import services
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.api.base import ApiViewMixin, ScopedViewSet, StrictSerializer
from weerbaar.core.access import SIGNED_IN


class TokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class TokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=PersonalAccessToken.Scope.choices, default=PersonalAccessToken.Scope.READ)
    days_valid = serializers.IntegerField(min_value=1, max_value=365, default=90)


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The full token. It is shown only once.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    email = serializers.EmailField()
    name = serializers.CharField(source="full_name")
    memberships = serializers.SerializerMethodField()

    def get_memberships(self, user) -> list[dict]:
        return [
            {"organisation": str(m.organisation.public_id), "organisation_name": m.organisation.name, "role": m.role}
            for m in user.memberships.filter(is_active=True).select_related("organisation")
        ]


class MeView(ApiViewMixin, APIView):
    access_rule = SIGNED_IN

    @extend_schema(responses=MeSerializer, summary="Who the token or session belongs to")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class PersonalAccessTokenViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Tokens belong to a person, not an organisation: each user sees only their own."""

    access_rule = SIGNED_IN
    serializer_class = TokenSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return PersonalAccessToken.objects.filter(user=self.request.user).order_by("-created_at")

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenCreatedSerializer}, summary="Create a token")
    def create(self, request):
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, full = services.create_api_token(actor=request.user, **data.validated_data)
        body = TokenSerializer(token).data
        body["token"] = full
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TokenSerializer, summary="Revoke a token")
    @action(detail=True, methods=["post"])
    def revoke(self, request, id=None):
        token = self.get_object()
        services.revoke_api_token(actor=request.user, token=token)
        return Response(TokenSerializer(token).data)
