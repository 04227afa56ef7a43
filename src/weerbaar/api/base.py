"""Building blocks shared by every app's API: views reachable without a session (they carry a
token), serializers that refuse unknown fields, and the access-rule declaration."""

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error rather than silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            # Read-only fields count as unknown: DRF would otherwise drop them without a word.
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(name) for name in set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """The query parameters of a list (filters, search). Unlike a request body, other parameters
    (`page`, `page_size`) pass by; a malformed value is a 400 naming the parameter."""


class ApiViewMixin:
    """Lets LoginRequiredMiddleware through (the API authenticates per request) and requires
    each view to declare its access rule like every page does."""

    access_rule: str = ""

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        return login_not_required(view)


class ScopedViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A viewset whose queryset comes from a scoped selector; writes go through services."""

    def query(self, serializer_class: type[QuerySerializer]) -> dict:
        """The validated query parameters of this request, or a 400 naming the bad ones."""
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def validated(self, serializer_class: type[serializers.Serializer]) -> dict:
        """The validated request body, or a 400 naming the bad fields."""
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data
