"""API of assessments, their scores and the improvement plan, on the same selectors and services
as the pages. A final assessment is locked here as everywhere: every change to it is refused with
a 400 and changes nothing."""

from django.http import Http404
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
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from weerbaar.api.base import QuerySerializer, ScopedViewSet, StrictSerializer
from weerbaar.assessments import selectors, services
from weerbaar.assessments.choices import (
    ActionSource,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
)
from weerbaar.assessments.models import Assessment, Evidence, ImprovementAction, NormScore
from weerbaar.core.permissions import Action
from weerbaar.frameworks import selectors as framework_selectors
from weerbaar.organisations import selectors as organisation_selectors

MAX_TEXT = services.MAX_TEXT
INSTITUTION_FIELDS = ("level", "not_applicable", "not_applicable_reason", "justification")
REVIEWER_FIELDS = ("auditor_level", "auditor_note")


# --- serializers -----------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment of an organisation against a framework version: a self-assessment, an
    internal or external audit, or a peer review. Status runs draft → submitted → (under review)
    → final; a final assessment never changes."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    framework_version = serializers.UUIDField(source="framework_version.public_id", read_only=True)
    framework_code = serializers.CharField(source="framework_version.framework.code", read_only=True)
    version_label = serializers.CharField(source="framework_version.label", read_only=True)
    targets = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("The organisation's own target level per domain code; 3 where none is given."),
    )
    reviewer = serializers.EmailField(
        source="reviewer.email",
        default=None,
        read_only=True,
        allow_null=True,
        help_text=_("The assigned auditor or peer reviewer."),
    )
    is_locked = serializers.BooleanField(read_only=True, help_text=_("A final assessment cannot be changed."))

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "framework_version",
            "framework_code",
            "version_label",
            "kind",
            "status",
            "is_locked",
            "title",
            "targets",
            "reviewer",
            "submitted_at",
            "finalised_at",
            "review_summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DomainResultSerializer(serializers.Serializer):
    domain_code = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text=_("Mean of the counted norm levels."))
    target = serializers.IntegerField()
    meets_target = serializers.BooleanField(allow_null=True)
    counted = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    gaps = serializers.ListField(child=serializers.CharField(), help_text=_("Norm codes below the target."))


class ResultSerializer(serializers.Serializer):
    """Derived scores: never typed in, always computed from the answers."""

    overall = serializers.FloatField(allow_null=True, help_text=_("Mean of the domain scores."))
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    domains = DomainResultSerializer(many=True)


class AssessmentDetailSerializer(AssessmentSerializer):
    result = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "result"]
        read_only_fields = fields

    @extend_schema_field(ResultSerializer)
    def get_result(self, assessment) -> dict:
        result = selectors.score_of(assessment)
        return ResultSerializer(
            {
                "overall": result.overall,
                "answered": result.answered,
                "total": result.total,
                "domains": [
                    {
                        "domain_code": d.domain_code,
                        "score": d.score,
                        "target": d.target,
                        "meets_target": d.meets_target,
                        "counted": d.counted,
                        "not_applicable": d.not_applicable,
                        "unanswered": d.unanswered,
                        "gaps": list(d.gaps),
                    }
                    for d in result.domains
                ],
            }
        ).data


class AssessmentQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False, help_text=_("Only the assessments of this organisation."))
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False)
    search = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("Part of the title or organisation name."),
    )


class AssessmentCreateSerializer(StrictSerializer):
    """A new draft assessment with an empty answer for every norm of the version."""

    organisation = serializers.UUIDField()
    framework_version = serializers.UUIDField(help_text=_("A published framework version with maturity levels."))
    kind = serializers.ChoiceField(choices=AssessmentKind.choices, default=AssessmentKind.SELF)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_from_last = serializers.BooleanField(
        default=False,
        help_text=_("Copy levels and justifications from the organisation's last final assessment on this framework."),
    )


class AssignReviewerSerializer(StrictSerializer):
    reviewer = serializers.EmailField(
        max_length=254,
        help_text=_("E-mail address of an auditor (audits) or of an IBP officer elsewhere (peer reviews)."),
    )


class FinaliseSerializer(StrictSerializer):
    review_summary = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class EvidenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sha256 = serializers.CharField(read_only=True, help_text=_("SHA-256 of an uploaded file; empty for a link."))

    class Meta:
        model = Evidence
        fields = ["id", "name", "url", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    """One norm's answer: the institution's level (or not applicable, with a reason) and
    justification, and in an audit or peer review the reviewer's level and note."""

    norm_code = serializers.CharField(source="norm.code", read_only=True)
    norm_title = serializers.CharField(source="norm.title", read_only=True)
    domain_code = serializers.CharField(source="norm.domain.code", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = NormScore
        fields = [
            "norm_code",
            "norm_title",
            "domain_code",
            "level",
            "not_applicable",
            "not_applicable_reason",
            "justification",
            "auditor_level",
            "auditor_note",
            "evidence",
            "updated_at",
        ]
        read_only_fields = fields


class ScoreUpdateSerializer(StrictSerializer):
    """Either the institution's answer (people who edit the assessment, while it is a draft) or
    the reviewer's verdict (the assigned reviewer, while it is under review), not both at once.
    Fields left out keep their value."""

    level = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    not_applicable = serializers.BooleanField(required=False)
    not_applicable_reason = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    justification = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    auditor_level = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    auditor_note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)

    def validate(self, attrs):
        institution = [name for name in INSTITUTION_FIELDS if name in attrs]
        reviewer = [name for name in REVIEWER_FIELDS if name in attrs]
        if institution and reviewer:
            raise serializers.ValidationError(
                _("Change either the institution's answer or the reviewer's verdict, not both in one request.")
            )
        if not institution and not reviewer:
            raise serializers.ValidationError(_("Give at least one field to change."))
        if attrs.get("not_applicable") and attrs.get("level") is not None:
            raise serializers.ValidationError(
                {"level": [_("Give either a level or mark the norm as not applicable, not both.")]}
            )
        return attrs


class ImprovementActionSerializer(serializers.ModelSerializer):
    """A piece of work that closes a gap, in the organisation's one improvement plan."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    framework_code = serializers.CharField(source="framework.code", default=None, read_only=True, allow_null=True)
    source_assessment = serializers.UUIDField(
        source="source_assessment.public_id", default=None, read_only=True, allow_null=True
    )
    owner = serializers.EmailField(source="owner.email", default=None, read_only=True, allow_null=True)
    owner_name = serializers.CharField(source="owner.full_name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "organisation",
            "title",
            "description",
            "source",
            "framework_code",
            "norm_code",
            "source_assessment",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields


class ImprovementActionQuery(QuerySerializer):
    organisation = serializers.UUIDField(required=False, help_text=_("Only the actions of this organisation."))
    open = serializers.BooleanField(required=False, default=False, help_text=_("Only open and in-progress actions."))
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


class ImprovementActionCreateSerializer(StrictSerializer):
    organisation = serializers.UUIDField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=ActionSource.choices, default=ActionSource.OTHER)
    owner = serializers.EmailField(
        max_length=254,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("E-mail address of an active member of the organisation."),
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    framework_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    norm_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ImprovementActionUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    owner = serializers.EmailField(max_length=254, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


# --- helpers ---------------------------------------------------------------------------------


def _organisation_for(user, public_id, action: Action, message):
    try:
        return organisation_selectors.access_organisation(user, public_id, action)
    except Http404:
        # Alike for an organisation that does not exist and one where the user may not act.
        raise ValidationError({"organisation": [message]}) from None


def _member(user, organisation, email: str | None):
    """The active member of `organisation` with this address (None for None), or a 400."""
    if email is None:
        return None
    membership = (
        organisation_selectors.list_all_members(user, organisation, is_active=True)
        .filter(user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError({"owner": [_("No active member of this organisation has this e-mail address.")]})
    return membership.user


ASSESSMENT_ID = OpenApiParameter(
    "assessment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The assessment's id."
)
NORM_CODE = OpenApiParameter("norm_code", str, OpenApiParameter.PATH, description="The norm's code, such as SM.05.")


# --- assessments -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Assessments you may see", parameters=[AssessmentQuery]),
    retrieve=extend_schema(summary="One assessment with its derived scores"),
)
class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Assessments of the organisations within the user's reach, and those assigned to the user
    as auditor or peer reviewer."""

    access_rule = Action.ASSESSMENT_VIEW
    serializer_class = AssessmentSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_serializer_class(self):
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer

    def get_queryset(self):
        params = self.query(AssessmentQuery)
        assessments = selectors.list_assessments(
            self.request.user, status=params.get("status", ""), search=params.get("search", "")
        )
        if "organisation" in params:
            assessments = assessments.filter(organisation__public_id=params["organisation"])
        return assessments

    def get_object(self):
        return selectors.access_assessment(self.request.user, self.kwargs["id"])

    def _detail(self, assessment, status_code=status.HTTP_200_OK) -> Response:
        assessment = selectors.access_assessment(self.request.user, assessment.public_id)
        return Response(AssessmentDetailSerializer(assessment).data, status=status_code)

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={201: AssessmentDetailSerializer},
        summary="Start an assessment",
    )
    def create(self, request):
        data = self.validated(AssessmentCreateSerializer)
        organisation = _organisation_for(
            request.user,
            data["organisation"],
            Action.ASSESSMENT_EDIT,
            _("No organisation with this id where you may start an assessment."),
        )
        version = framework_selectors.visible_versions(request.user).filter(public_id=data["framework_version"]).first()
        if version is None:
            raise ValidationError({"framework_version": [_("No framework version with this id.")]})
        assessment = services.start_assessment(
            actor=request.user,
            organisation=organisation,
            framework_version=version,
            kind=data["kind"],
            title=data["title"],
            start_from_last=data["start_from_last"],
        )
        return self._detail(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssessmentDetailSerializer, summary="Submit a draft (board member)")
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        """A board member approves the draft and submits it; every norm must be answered."""
        assessment = selectors.access_assessment(request.user, id)
        return self._detail(services.submit_assessment(actor=request.user, assessment=assessment))

    @extend_schema(
        request=None,
        responses=AssessmentDetailSerializer,
        summary="Send a submitted assessment back to draft",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, id=None):
        assessment = selectors.access_assessment(request.user, id)
        return self._detail(services.reopen_assessment(actor=request.user, assessment=assessment))

    @extend_schema(
        request=AssignReviewerSerializer,
        responses=AssessmentDetailSerializer,
        summary="Assign the reviewer of a submitted audit or peer review",
    )
    @action(detail=True, methods=["post"], url_path="assign-reviewer")
    def assign_reviewer(self, request, id=None):
        assessment = selectors.access_assessment(request.user, id)
        data = self.validated(AssignReviewerSerializer)
        # Only people who may review this assessment are looked up; anyone else is refused alike.
        reviewer = services.reviewer_candidates(assessment).filter(email__iexact=data["reviewer"]).first()
        return self._detail(services.assign_reviewer(actor=request.user, assessment=assessment, reviewer=reviewer))

    @extend_schema(
        request=FinaliseSerializer,
        responses=AssessmentDetailSerializer,
        summary="Make an assessment final (board member; the reviewer for audits and peer reviews)",
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request, id=None):
        """Locks the assessment for good; gaps become improvement actions."""
        assessment = selectors.access_assessment(request.user, id)
        data = self.validated(FinaliseSerializer)
        return self._detail(
            services.finalise_assessment(
                actor=request.user, assessment=assessment, review_summary=data["review_summary"]
            )
        )


# --- scores ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The answers of an assessment, in norm order", parameters=[ASSESSMENT_ID]),
    retrieve=extend_schema(summary="One norm's answer", parameters=[ASSESSMENT_ID, NORM_CODE]),
    partial_update=extend_schema(
        summary="Answer a norm, or record the reviewer's verdict",
        parameters=[ASSESSMENT_ID, NORM_CODE],
        request=ScoreUpdateSerializer,
        responses=ScoreSerializer,
    ),
)
class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Answers per norm. PATCH with the institution's fields (level, not_applicable,
    not_applicable_reason, justification) while the assessment is a draft; the assigned reviewer
    PATCHes auditor_level and auditor_note while it is under review."""

    access_rule = Action.ASSESSMENT_VIEW
    serializer_class = ScoreSerializer
    lookup_field = "norm_code"
    lookup_url_kwarg = "norm_code"
    lookup_value_regex = r"[^/]+"

    def _assessment(self):
        return selectors.access_assessment(self.request.user, self.kwargs["assessment_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NormScore.objects.none()
        return selectors.scores_of(self._assessment())

    def get_object(self):
        return selectors.score_in(self._assessment(), self.kwargs["norm_code"])

    def partial_update(self, request, assessment_id=None, norm_code=None):
        score = self.get_object()
        data = self.validated(ScoreUpdateSerializer)
        if any(name in data for name in REVIEWER_FIELDS):
            services.record_review(
                actor=request.user,
                score=score,
                auditor_level=data.get("auditor_level", score.auditor_level),
                auditor_note=data.get("auditor_note", score.auditor_note),
            )
        else:
            not_applicable = data.get("not_applicable", score.not_applicable)
            if data.get("level") is not None and "not_applicable" not in data:
                # A level given on its own answers the norm: it applies after all.
                not_applicable = False
            services.save_score(
                actor=request.user,
                score=score,
                level=data.get("level", score.level),
                not_applicable=not_applicable,
                not_applicable_reason=data.get("not_applicable_reason", score.not_applicable_reason),
                justification=data.get("justification", score.justification),
            )
        return Response(ScoreSerializer(self.get_object()).data)


# --- improvement actions ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Improvement actions you may see", parameters=[ImprovementActionQuery]),
    retrieve=extend_schema(summary="One improvement action"),
)
class ImprovementActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The improvement plans of the organisations within the user's reach."""

    access_rule = Action.ASSESSMENT_VIEW
    serializer_class = ImprovementActionSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.query(ImprovementActionQuery)
        actions = selectors.list_all_improvement_actions(
            self.request.user, only_open=params.get("open", False), status=params.get("status", "")
        )
        if "organisation" in params:
            actions = actions.filter(organisation__public_id=params["organisation"])
        return actions

    def get_object(self):
        return selectors.access_improvement_action(self.request.user, self.kwargs["id"])

    @extend_schema(
        request=ImprovementActionCreateSerializer,
        responses={201: ImprovementActionSerializer},
        summary="Add an improvement action",
    )
    def create(self, request):
        data = self.validated(ImprovementActionCreateSerializer)
        organisation = _organisation_for(
            request.user,
            data["organisation"],
            Action.ASSESSMENT_EDIT,
            _("No organisation with this id where you may plan improvements."),
        )
        framework = None
        if data["framework_code"]:
            framework = framework_selectors.list_frameworks(request.user).filter(code=data["framework_code"]).first()
            if framework is None:
                raise ValidationError({"framework_code": [_("No framework with this code.")]})
        action = services.create_improvement_action(
            actor=request.user,
            organisation=organisation,
            title=data["title"],
            source=data["source"],
            description=data["description"],
            owner=_member(request.user, organisation, data["owner"]),
            due_date=data["due_date"],
            framework=framework,
            norm_code=data["norm_code"],
        )
        return Response(
            ImprovementActionSerializer(selectors.access_improvement_action(request.user, action.public_id)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ImprovementActionUpdateSerializer,
        responses=ImprovementActionSerializer,
        summary="Change an improvement action",
    )
    def partial_update(self, request, id=None):
        action = selectors.access_improvement_action(request.user, id)
        data = self.validated(ImprovementActionUpdateSerializer)
        if "owner" in data:
            data["owner"] = _member(request.user, action.organisation, data["owner"])
        services.update_improvement_action(actor=request.user, action=action, **data)
        return Response(ImprovementActionSerializer(selectors.access_improvement_action(request.user, id)).data)
