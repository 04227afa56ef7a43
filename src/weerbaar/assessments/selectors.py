"""Scoped reads of assessments, their scores and the improvement plan."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from weerbaar.assessments.choices import OPEN_ACTION_STATUSES, AssessmentStatus
from weerbaar.assessments.models import Assessment, Evidence, ImprovementAction, NormScore
from weerbaar.assessments.scoring import AssessmentScore, NormAnswer, score_assessment
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import access
from weerbaar.frameworks.models import FrameworkVersion, Mapping


def list_assessments(user, organisation=None, status: str = "", search: str = "") -> QuerySet[Assessment]:
    assessments = Assessment.objects.visible_to(user, Action.ASSESSMENT_VIEW).select_related(
        "organisation", "framework_version__framework", "reviewer"
    )
    if organisation is not None:
        assessments = assessments.filter(organisation=organisation)
    if status:
        assessments = assessments.filter(status=status)
    if search:
        assessments = assessments.filter(Q(title__icontains=search) | Q(organisation__name__icontains=search))
    return assessments.order_by("-created_at")


def list_reviews(user) -> QuerySet[Assessment]:
    """Assessments assigned to the user as auditor or peer reviewer."""
    return (
        Assessment.objects.filter(reviewer=user, status__in=[AssessmentStatus.UNDER_REVIEW, AssessmentStatus.FINAL])
        .filter(reviewer__is_active=True)
        .select_related("organisation", "framework_version__framework")
        .order_by("status", "-submitted_at")
    )


def access_assessment(user, public_id, action: Action = Action.ASSESSMENT_VIEW) -> Assessment:
    return access(
        Assessment.objects.select_related("organisation", "framework_version__framework", "reviewer", "started_from"),
        user, action, public_id=public_id,
    )


def scores_of(assessment: Assessment, domain_code: str | None = None) -> QuerySet[NormScore]:
    """Every score of an (already accessed) assessment with its norm, domain and evidence, in a
    fixed number of queries."""
    scores = NormScore.objects.filter(assessment=assessment).select_related("norm", "norm__domain")
    if domain_code:
        scores = scores.filter(norm__domain__code=domain_code)
    return scores.prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at"))).order_by(
        "norm__position"
    )


def score_in(assessment: Assessment, norm_code: str) -> NormScore:
    """The score for one norm of an assessment the caller has already accessed; 404 if none."""
    try:
        return NormScore.objects.select_related("norm", "norm__domain", "assessment").get(
            assessment=assessment, norm__code=norm_code
        )
    except NormScore.DoesNotExist as exc:
        raise Http404 from exc


def access_evidence(user, public_id) -> Evidence:
    """Evidence the user may see: through the organisation's reach, or as the assigned reviewer."""
    visible = Assessment.objects.visible_to(user, Action.ASSESSMENT_VIEW).values("pk")
    try:
        return Evidence.objects.select_related("score__assessment", "score__norm").get(
            public_id=public_id, score__assessment__in=visible
        )
    except (Evidence.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def domain_order_of(version: FrameworkVersion) -> list[str]:
    return list(version.domains.order_by("position").values_list("code", flat=True))


def answers_of(assessment: Assessment) -> list[NormAnswer]:
    rows = NormScore.objects.filter(assessment=assessment).values_list(
        "norm__code", "norm__domain__code", "level", "not_applicable", "auditor_level"
    )
    return [NormAnswer(code, domain, level, na, auditor) for code, domain, level, na, auditor in rows]


def score_of(assessment: Assessment) -> AssessmentScore:
    """Derived domain and overall scores of an assessment (never stored, always computed)."""
    return score_assessment(answers_of(assessment), domain_order_of(assessment.framework_version), assessment.targets)


def previous_final(assessment: Assessment) -> Assessment | None:
    """The organisation's last final assessment on the same framework before this one."""
    qs = Assessment.objects.filter(
        organisation_id=assessment.organisation_id,
        framework_version__framework_id=assessment.framework_version.framework_id,
        status=AssessmentStatus.FINAL,
    ).exclude(pk=assessment.pk)
    if assessment.finalised_at:
        qs = qs.filter(finalised_at__lt=assessment.finalised_at)
    return qs.order_by("-finalised_at").first()


def norm_changes(assessment: Assessment, previous: Assessment) -> list[dict]:
    """Per norm code: level before and now, for the comparison with the previous assessment."""
    before = {a.norm_code: a.effective_level for a in answers_of(previous)}
    result = []
    for answer in answers_of(assessment):
        old = before.get(answer.norm_code)
        new = answer.effective_level
        result.append({"norm_code": answer.norm_code, "domain_code": answer.domain_code, "before": old, "now": new,
                       "change": (new - old) if (new is not None and old is not None) else None})
    return result


def mapped_suggestions(assessment: Assessment) -> dict[str, list[dict]]:
    """For each norm of this assessment: answers the organisation gave on mapped norms of other
    frameworks (latest assessment per framework), offered as suggestions, never copied."""
    norm_ids = list(NormScore.objects.filter(assessment=assessment).values_list("norm_id", flat=True))
    pairs = Mapping.objects.filter(Q(source_id__in=norm_ids) | Q(target_id__in=norm_ids)).values_list(
        "source_id", "target_id"
    )
    own_to_other: dict[int, set[int]] = {}
    for source, target in pairs:
        if source in norm_ids:
            own_to_other.setdefault(source, set()).add(target)
        if target in norm_ids:
            own_to_other.setdefault(target, set()).add(source)
    other_ids = {n for others in own_to_other.values() for n in others}
    if not other_ids:
        return {}
    answered = (
        NormScore.objects.filter(
            assessment__organisation_id=assessment.organisation_id, norm_id__in=other_ids, level__isnull=False
        )
        .exclude(assessment=assessment)
        .select_related("norm", "assessment__framework_version__framework")
        .order_by("-assessment__created_at")
    )
    latest: dict[int, NormScore] = {}
    for score in answered:
        latest.setdefault(score.norm_id, score)
    codes = dict(NormScore.objects.filter(assessment=assessment).values_list("norm_id", "norm__code"))
    suggestions: dict[str, list[dict]] = {}
    for own, others in own_to_other.items():
        for other in others:
            score = latest.get(other)
            if score is None:
                continue
            suggestions.setdefault(codes[own], []).append(
                {
                    "framework": score.assessment.framework_version.framework.code,
                    "norm_code": score.norm.code,
                    "norm_title": score.norm.title,
                    "level": score.level,
                    "justification": score.justification,
                    "assessment": score.assessment,
                }
            )
    return suggestions


def list_improvement_actions(user, organisation, only_open: bool = False) -> QuerySet[ImprovementAction]:
    actions = ImprovementAction.objects.visible_to(user, Action.ASSESSMENT_VIEW).filter(organisation=organisation)
    if only_open:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    return actions.select_related("owner", "framework", "source_assessment").order_by("status", "due_date", "created_at")


def access_improvement_action(user, public_id, action: Action = Action.ASSESSMENT_VIEW) -> ImprovementAction:
    return access(ImprovementAction.objects.select_related("organisation", "owner"), user, action, public_id=public_id)


def open_actions_by_norm(assessment: Assessment) -> dict[str, list[ImprovementAction]]:
    """Open improvement actions of the organisation for norms of this framework: they carry over
    from earlier assessments and are shown beside the norm."""
    result: dict[str, list[ImprovementAction]] = {}
    for action in ImprovementAction.objects.filter(
        organisation_id=assessment.organisation_id,
        framework_id=assessment.framework_version.framework_id,
        status__in=OPEN_ACTION_STATUSES,
    ).order_by("due_date"):
        result.setdefault(action.norm_code, []).append(action)
    return result


def progress_by_domain(assessment: Assessment) -> list[dict]:
    rows = (
        NormScore.objects.filter(assessment=assessment)
        .values("norm__domain__code", "norm__domain__title_nl", "norm__domain__title_en", "norm__domain__position")
        .annotate(total=Count("id"), answered=Count("id", filter=Q(level__isnull=False) | Q(not_applicable=True)))
        .order_by("norm__domain__position")
    )
    return list(rows)


def list_all_improvement_actions(
    user, organisation=None, only_open: bool = False, status: str = ""
) -> QuerySet[ImprovementAction]:
    """Improvement actions of every organisation whose assessments the user may see (or of one)."""
    actions = ImprovementAction.objects.visible_to(user, Action.ASSESSMENT_VIEW)
    if organisation is not None:
        actions = actions.filter(organisation=organisation)
    if only_open:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    if status:
        actions = actions.filter(status=status)
    return actions.select_related("organisation", "owner", "framework", "source_assessment").order_by(
        "organisation__name", "status", "due_date", "created_at"
    )
