"""Scoped reads of assessments, their scores and the improvement plan."""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from weerbaar.assessments.choices import OPEN_ACTION_STATUSES, AssessmentStatus
from weerbaar.assessments.models import (
    Assessment,
    AuditPolicy,
    DomainTarget,
    Evidence,
    ImprovementAction,
    NormScore,
)
from weerbaar.assessments.scoring import AssessmentScore, NormAnswer, score_assessment
from weerbaar.core.permissions import Action, roles_allowing
from weerbaar.core.tenancy import access, visible_organisations
from weerbaar.frameworks.models import FrameworkVersion, Mapping
from weerbaar.organisations.models import Organisation


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
        user,
        action,
        public_id=public_id,
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
        result.append(
            {
                "norm_code": answer.norm_code,
                "domain_code": answer.domain_code,
                "before": old,
                "now": new,
                "change": (new - old) if (new is not None and old is not None) else None,
            }
        )
    return result


def mapped_suggestions(assessment: Assessment, scores: Iterable[NormScore] | None = None) -> dict[str, list[dict]]:
    """For each norm of this assessment: answers the organisation gave on mapped norms of other
    frameworks (latest assessment per framework), offered as suggestions, never copied.

    `scores` (already loaded with their norms, e.g. one domain's) narrows the norms asked about
    and saves the queries that would look them up."""
    if scores is not None:
        codes = {score.norm_id: score.norm.code for score in scores}
        norm_ids = list(codes)
    else:
        codes = None
        own_scores = NormScore.objects.filter(assessment=assessment)
        norm_ids = list(own_scores.values_list("norm_id", flat=True))
    if not norm_ids:
        return {}
    pairs = Mapping.objects.filter(Q(source_id__in=norm_ids) | Q(target_id__in=norm_ids)).values_list(
        "source_id", "target_id"
    )
    own = set(norm_ids)
    own_to_other: dict[int, set[int]] = {}
    for source, target in pairs:
        if source in own:
            own_to_other.setdefault(source, set()).add(target)
        if target in own:
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
    if codes is None:
        own_scores = NormScore.objects.filter(assessment=assessment)
        codes = dict(own_scores.values_list("norm_id", "norm__code"))
    suggestions: dict[str, list[dict]] = {}
    for own_id, others in own_to_other.items():
        for other in others:
            score = latest.get(other)
            if score is None:
                continue
            suggestions.setdefault(codes[own_id], []).append(
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
    return actions.select_related("owner", "framework", "source_assessment").order_by(
        "status", "due_date", "created_at"
    )


def access_improvement_action(user, public_id, action: Action = Action.ASSESSMENT_VIEW) -> ImprovementAction:
    return access(ImprovementAction.objects.select_related("organisation", "owner"), user, action, public_id=public_id)


def open_actions_by_norm(
    assessment: Assessment, norm_codes: Iterable[str] | None = None
) -> dict[str, list[ImprovementAction]]:
    """Open improvement actions of the organisation for norms of this framework: they carry over
    from earlier assessments and are shown beside the norm. `norm_codes` narrows them to the
    norms on screen."""
    actions = ImprovementAction.objects.filter(
        organisation_id=assessment.organisation_id,
        framework_id=assessment.framework_version.framework_id,
        status__in=OPEN_ACTION_STATUSES,
    )
    if norm_codes is not None:
        actions = actions.filter(norm_code__in=list(norm_codes))
    result: dict[str, list[ImprovementAction]] = {}
    for action in actions.order_by("due_date"):
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


def allowed_actions(user, organisation_id: int, actions: Iterable[Action]) -> frozenset[Action]:
    """Which of `actions` the user may perform on one organisation's data, in one query (a page
    that shows or hides several buttons would otherwise ask once per button). Actions that the
    same roles allow with the same reach are asked once."""
    actions = list(dict.fromkeys(actions))
    if user is None or not user.is_authenticated or not user.is_active or not actions:
        return frozenset()
    groups: dict[tuple, list[Action]] = {}
    for action in actions:
        reach = tuple(sorted(roles_allowing(action).items()))
        if reach:
            groups.setdefault(reach, []).append(action)
    if not groups:
        return frozenset()
    checks = {
        f"may_{index}": Exists(visible_organisations(user, members[0]).filter(pk=OuterRef("pk")))
        for index, members in enumerate(groups.values())
    }
    row = Organisation.objects.filter(pk=organisation_id).annotate(**checks).values(*checks).first()
    if row is None:
        return frozenset()
    return frozenset(
        action for index, members in enumerate(groups.values()) if row[f"may_{index}"] for action in members
    )


# --- audit policy ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later; the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class AuditStatus:
    """Where an organisation stands under its sector's audit policy. Without a policy that
    applies to it, nothing is due."""

    policy: AuditPolicy | None
    last_audit: Assessment | None
    due: date | None
    overdue: bool

    @property
    def applies(self) -> bool:
        return self.policy is not None

    @property
    def never_audited(self) -> bool:
        return self.policy is not None and self.last_audit is None


def _policy_for(organisation: Organisation) -> AuditPolicy | None:
    if organisation.sector_id is None:
        return None
    policy = AuditPolicy.objects.filter(sector_id=organisation.sector_id).first()
    if policy is None or organisation.kind not in (policy.applies_to_kinds or []):
        return None
    return policy


def _audit_due(finalised_at, policy: AuditPolicy) -> date:
    return add_months(timezone.localtime(finalised_at).date(), policy.interval_months)


def audit_status(organisation: Organisation, today: date | None = None) -> AuditStatus:
    """The organisation's next audit under its sector's policy (for an organisation the caller has
    already accessed): due `interval_months` after the last final assessment of an accepted kind;
    never audited counts as overdue."""
    policy = _policy_for(organisation)
    if policy is None:
        return AuditStatus(policy=None, last_audit=None, due=None, overdue=False)
    last = (
        Assessment.objects.filter(
            organisation=organisation,
            status=AssessmentStatus.FINAL,
            kind__in=policy.accepted_kinds,
            finalised_at__isnull=False,
        )
        .select_related("framework_version__framework")
        .order_by("-finalised_at")
        .first()
    )
    if last is None:
        return AuditStatus(policy=policy, last_audit=None, due=None, overdue=True)
    due = _audit_due(last.finalised_at, policy)
    overdue = due < (today or timezone.localdate())
    return AuditStatus(policy=policy, last_audit=last, due=due, overdue=overdue)


def aggregate_sector_codes(user) -> list[str]:
    """Sector codes whose anonymised aggregates the user may read: a coordinator's served
    sectors; councils, the ministry and the inspectorate every sector."""
    from weerbaar.core.permissions import Role
    from weerbaar.organisations.models import Membership, Sector

    if user is None or not user.is_authenticated or not user.is_active:
        return []
    held = Membership.objects.filter(
        user=user, is_active=True, organisation__is_active=True, role__in=list(roles_allowing(Action.AGGREGATE_VIEW))
    )
    if held.exclude(role=Role.SECTOR_COORDINATOR).exists():
        return list(Sector.objects.order_by("id").values_list("code", flat=True))
    coordinated = held.filter(role=Role.SECTOR_COORDINATOR).values("organisation_id")
    return list(
        Sector.objects.filter(serving_organisations__in=coordinated)
        .distinct()
        .order_by("id")
        .values_list("code", flat=True)
    )


def overdue_audit_counts(
    user,
    sector_codes: Iterable[str] | None = None,
    today: date | None = None,
    min_group: int | None = None,
) -> list[dict]:
    """Per sector with an audit policy, of the sectors whose aggregates the user may read (a
    coordinator's served sectors; councils, the ministry and the inspectorate every sector),
    narrowed to `sector_codes` when given: how many organisations the policy applies to, how many
    had an audit of an accepted kind within the interval, how many are overdue and how many were
    never audited. Counts only, and only for a population of more than `min_group` (benchmark
    rule 1): which organisation is overdue is the organisation's own business."""
    allowed = aggregate_sector_codes(user)
    codes = allowed if sector_codes is None else [code for code in sector_codes if code in allowed]
    return sector_audit_counts(codes, today, min_group)


def sector_audit_counts(codes: list[str], today: date | None = None, min_group: int | None = None) -> list[dict]:
    """`overdue_audit_counts` for sectors already known to be within the reader's reach (the
    monitor stores these counts per set of sectors a reader sees, before anyone reads them)."""
    from django.conf import settings

    if not codes:
        return []
    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    today = today or timezone.localdate()
    rows = []
    for policy in AuditPolicy.objects.filter(sector__code__in=codes).select_related("sector").order_by("sector__code"):
        population = Organisation.objects.filter(sector=policy.sector, kind__in=policy.applies_to_kinds, is_active=True)
        total = population.count()
        row = {
            "sector": policy.sector,
            "interval_months": policy.interval_months,
            "accepted_kinds": list(policy.accepted_kinds),
        }
        # A group is shown only with at least `min_group` organisations besides a viewer who may
        # be one of them (the benchmark's rule 1).
        if total < min_group + 1:
            rows.append({**row, "suppressed": True})
            continue
        last_audits = (
            Assessment.objects.filter(
                organisation__in=population.values("pk"),
                status=AssessmentStatus.FINAL,
                kind__in=policy.accepted_kinds,
                finalised_at__isnull=False,
            )
            .values("organisation_id")
            .annotate(last=Max("finalised_at"))
            .values_list("last", flat=True)
        )
        audited = late = 0
        for finalised_at in last_audits:
            audited += 1
            late += _audit_due(finalised_at, policy) < today
        never = total - audited
        rows.append(
            {
                **row,
                "suppressed": False,
                "organisations": total,
                "covered": audited - late,
                "overdue": late + never,
                "never_audited": never,
            }
        )
    return rows


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


def domain_targets_of(user, organisation: Organisation, framework) -> dict[str, DomainTarget]:
    """The organisation's own target per domain code of a framework (its risk profile)."""
    targets = DomainTarget.objects.visible_to(user, Action.ASSESSMENT_VIEW).filter(
        organisation=organisation, framework=framework
    )
    return {target.domain_code: target for target in targets}
