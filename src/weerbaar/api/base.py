"""Building blocks shared by every app's API: views reachable without a session (they carry a
token), serializers that refuse unknown fields, and the access-rule declaration."""

from django.contrib.auth.decorators import login_not_required
from rest_framework import serializers, viewsets


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error rather than silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


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
