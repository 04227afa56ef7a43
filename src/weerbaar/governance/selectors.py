"""Scoped reads of governance: budgets, paragraphs, sector settings; the figures an annual-report
paragraph and the supervisory-board view are drawn from (through the other apps' own selectors,
so the numbers are the ones the platform shows elsewhere); and the anonymised sector figures."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

from weerbaar.assessments.choices import OPEN_ACTION_STATUSES, ActionStatus, AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment, ImprovementAction
from weerbaar.assessments.selectors import answers_of, audit_status, score_of
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import access, visible_organisations
from weerbaar.governance import figures
from weerbaar.governance.choices import ALL_ELEMENTS, ParagraphStatus
from weerbaar.governance.models import AnnualReportParagraph, SectorParagraphSettings, SecurityBudget
from weerbaar.incidents.choices import Category, IncidentStatus, Severity
from weerbaar.incidents.models import Incident
from weerbaar.monitor import selectors as monitor_selectors
from weerbaar.monitor.choices import MeasureState, SocStatus
from weerbaar.monitor.models import Ambition, BasicMeasure, MeasureStatus, SocConnection
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation, Sector

# Boards and institutions write an annual report; schools under a board do not.
REPORTING_KINDS = (OrganisationKind.SCHOOL_BOARD, OrganisationKind.INSTITUTION, OrganisationKind.RESEARCH_INSTITUTE)
SERIOUS_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)
AUDIT_KINDS = (AssessmentKind.INTERNAL_AUDIT, AssessmentKind.EXTERNAL_AUDIT, AssessmentKind.PEER_REVIEW)


# --- budgets --------------------------------------------------------------------------------


def budgets_of(user, organisation: Organisation) -> QuerySet[SecurityBudget]:
    return (
        SecurityBudget.objects.visible_to(user, Action.GOVERNANCE_VIEW)
        .filter(organisation=organisation)
        .order_by("-year")
    )


def access_budget(user, public_id, action: Action = Action.GOVERNANCE_VIEW) -> SecurityBudget:
    return access(SecurityBudget.objects.select_related("organisation"), user, action, public_id=public_id)


def budget_for(organisation: Organisation, year: int) -> SecurityBudget | None:
    """The budget of an organisation the caller has already accessed."""
    return SecurityBudget.objects.filter(organisation=organisation, year=year).first()


# --- paragraphs -----------------------------------------------------------------------------


def paragraphs_of(user, organisation: Organisation, year: int | None = None) -> QuerySet[AnnualReportParagraph]:
    paragraphs = AnnualReportParagraph.objects.visible_to(user, Action.GOVERNANCE_VIEW).filter(
        organisation=organisation
    )
    if year is not None:
        paragraphs = paragraphs.filter(year=year)
    return paragraphs.select_related("created_by", "submitted_by", "approved_by").order_by("-year", "-version")


def list_paragraphs(user, organisation: Organisation | None = None, status: str = "") -> QuerySet:
    paragraphs = AnnualReportParagraph.objects.visible_to(user, Action.GOVERNANCE_VIEW).select_related(
        "organisation", "approved_by"
    )
    if organisation is not None:
        paragraphs = paragraphs.filter(organisation=organisation)
    if status:
        paragraphs = paragraphs.filter(status=status)
    return paragraphs.order_by("organisation__name", "-year", "-version")


def access_paragraph(user, public_id, action: Action = Action.GOVERNANCE_VIEW) -> AnnualReportParagraph:
    return access(
        AnnualReportParagraph.objects.select_related("organisation", "organisation__sector", "approved_by"),
        user,
        action,
        public_id=public_id,
    )


def current_paragraph(organisation: Organisation, year: int) -> AnnualReportParagraph | None:
    """The newest version of an (already accessed) organisation's paragraph for a year."""
    return (
        AnnualReportParagraph.objects.filter(organisation=organisation, year=year)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def approved_paragraph(organisation: Organisation, year: int) -> AnnualReportParagraph | None:
    return (
        AnnualReportParagraph.objects.filter(organisation=organisation, year=year, status=ParagraphStatus.APPROVED)
        .order_by("-version")
        .first()
    )


# --- sector settings ------------------------------------------------------------------------


def settings_for(sector: Sector | None) -> dict:
    """The paragraph settings of a sector, or the defaults (every element, due 1 July)."""
    values = SectorParagraphSettings.defaults()
    if sector is not None:
        stored = SectorParagraphSettings.objects.filter(sector=sector).first()
        if stored is not None:
            values = {
                "elements": [e for e in ALL_ELEMENTS if e in (stored.elements or [])],
                "due_month": stored.due_month,
                "due_day": stored.due_day,
                "remind_days_before": stored.remind_days_before,
            }
    return values


def due_date(sector: Sector | None, year: int) -> date:
    """When the annual report over `year` is due: the sector's day in the following year (a
    31 in a shorter month falls back to the month's last day)."""
    import calendar

    values = settings_for(sector)
    month = values["due_month"]
    day = min(values["due_day"], calendar.monthrange(year + 1, month)[1])
    return date(year + 1, month, day)


def coordinated_sectors(user) -> QuerySet[Sector]:
    """Sectors whose paragraph settings the user may change: those served by an organisation
    where the user coordinates."""
    coordinators = visible_organisations(user, Action.SECTOR_COORDINATE)
    return Sector.objects.filter(serving_organisations__in=coordinators.values("pk")).distinct().order_by("id")


def access_coordinated_sector(user, code: str) -> Sector:
    sector = coordinated_sectors(user).filter(code=code).first()
    if sector is None:
        raise Http404
    return sector


# --- the figures of one organisation and year -------------------------------------------------


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _finals_until(organisation: Organisation, until: date, kinds=None) -> QuerySet[Assessment]:
    finals = Assessment.objects.filter(
        organisation=organisation,
        status=AssessmentStatus.FINAL,
        finalised_at__isnull=False,
        finalised_at__date__lte=until,
    )
    if kinds is not None:
        finals = finals.filter(kind__in=kinds)
    return finals.select_related("framework_version__framework").order_by("-finalised_at")


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _domain_titles(assessment: Assessment) -> dict[str, tuple[str, str]]:
    return {d.code: (d.title_nl, d.title_en or d.title_nl) for d in assessment.framework_version.domains.all()}


def maturity_facts(organisation: Organisation, year: int) -> dict | None:
    """The newest final assessment made final by the end of the year, the one before it on the
    same framework (the trend), and the sector's ambition."""
    finals = list(_finals_until(organisation, _year_end(year))[:20])
    if not finals:
        return None
    latest = finals[0]
    score = score_of(latest)
    previous = next(
        (a for a in finals[1:] if a.framework_version.framework_id == latest.framework_version.framework_id), None
    )
    previous_overall = score_of(previous).overall if previous is not None else None
    ambition = Ambition.objects.filter(sector_id=organisation.sector_id).first()
    titles = _domain_titles(latest)
    below = [
        {
            "code": d.domain_code,
            "title_nl": titles.get(d.domain_code, ("", ""))[0],
            "title_en": titles.get(d.domain_code, ("", ""))[1],
            "score": _rounded(d.score),
            "target": d.target,
        }
        for d in score.domains
        if d.meets_target is False
    ]
    scored = [d for d in score.domains if d.score is not None]
    return {
        "assessment": latest.title,
        "kind": latest.kind,
        "framework": latest.framework_version.framework.code,
        "finalised_on": timezone.localtime(latest.finalised_at).date().isoformat(),
        "overall": _rounded(score.overall),
        "previous_overall": _rounded(previous_overall),
        "previous_finalised_on": (
            timezone.localtime(previous.finalised_at).date().isoformat() if previous is not None else None
        ),
        "change": _rounded(score.overall - previous_overall)
        if score.overall is not None and previous_overall is not None
        else None,
        "domains": len(scored),
        "domains_at_target": sum(1 for d in scored if d.meets_target),
        "domains_below_target": below,
        "gaps": len(score.gaps),
        "ambition_target": ambition.target if ambition else None,
        "ambition_deadline": ambition.deadline.isoformat() if ambition else None,
    }


def high_risk_findings(assessment: Assessment) -> int:
    """Norms of an audit scored two or more levels below their domain's target: the findings a
    supervisor should ask about first."""
    targets = assessment.targets or {}
    return sum(
        1
        for answer in answers_of(assessment)
        if answer.effective_level is not None and answer.effective_level <= targets.get(answer.domain_code, 3) - 2
    )


def audit_facts(organisation: Organisation, year: int, today: date | None = None) -> dict:
    """The last audit or peer review by the end of the year, its main findings, and where the
    organisation stands under its sector's audit policy (assessments.selectors.audit_status)."""
    as_of = min(today or timezone.localdate(), _year_end(year))
    status = audit_status(organisation, today=as_of)
    last = _finals_until(organisation, _year_end(year), kinds=AUDIT_KINDS).first()
    facts = {
        "policy_applies": status.applies,
        "interval_months": status.policy.interval_months if status.policy else None,
        "due": status.due.isoformat() if status.due else None,
        "overdue": status.overdue,
        "last": None,
    }
    if last is not None:
        score = score_of(last)
        titles = _domain_titles(last)
        weakest = sorted((d for d in score.domains if d.meets_target is False), key=lambda d: d.score)[:3]
        facts["last"] = {
            "kind": last.kind,
            "finalised_on": timezone.localtime(last.finalised_at).date().isoformat(),
            "overall": _rounded(score.overall),
            "gaps": len(score.gaps),
            "high_risk": high_risk_findings(last),
            "weakest_domains": [
                {
                    "code": d.domain_code,
                    "title_nl": titles.get(d.domain_code, ("", ""))[0],
                    "title_en": titles.get(d.domain_code, ("", ""))[1],
                    "score": _rounded(d.score),
                }
                for d in weakest
            ],
        }
    return facts


def improvement_facts(organisation: Organisation, year: int, today: date | None = None) -> dict:
    """The improvement plan (one list per organisation: assessment gaps, audit findings, exercise
    findings) as it stood at the end of the year, or today for the current year."""
    as_of = min(today or timezone.localdate(), _year_end(year))
    actions = ImprovementAction.objects.filter(organisation=organisation, created_at__date__lte=as_of)
    rows = list(actions.values_list("status", "due_date", "completed_at", "source"))
    done = [r for r in rows if r[0] == ActionStatus.DONE]
    open_rows = [r for r in rows if r[0] in OPEN_ACTION_STATUSES]
    return {
        "total": len(rows),
        "done": len(done),
        "done_in_year": sum(1 for r in done if r[2] is not None and timezone.localtime(r[2]).year == year),
        "open": len(open_rows),
        "overdue": sum(1 for r in open_rows if r[1] is not None and r[1] < as_of),
        "cancelled": sum(1 for r in rows if r[0] == ActionStatus.CANCELLED),
        "open_findings": sum(1 for r in open_rows if r[3] == "audit_finding"),
    }


def posture_facts(organisation: Organisation) -> dict:
    """Basic measures and SOC connection as the monitor records them now."""
    measures = BasicMeasure.objects.count()
    states = Counter(MeasureStatus.objects.filter(organisation=organisation).values_list("state", flat=True))
    soc = SocConnection.objects.filter(organisation=organisation).first()
    return {
        "measures": measures,
        "in_place": states.get(MeasureState.IN_PLACE, 0),
        "partial": states.get(MeasureState.PARTIAL, 0),
        "planned": states.get(MeasureState.PLANNED, 0),
        "soc_status": soc.status if soc else SocStatus.NONE,
        "soc_provider": soc.provider if soc else "",
        "soc_planned_on": soc.planned_on.isoformat() if soc and soc.planned_on else None,
    }


def _incidents_in(organisation: Organisation, year: int) -> QuerySet[Incident]:
    # Submitted reports only: a draft has not been reported. Counted by the moment of reporting.
    return Incident.objects.filter(organisation=organisation, submitted_at__year=year).exclude(
        status=IncidentStatus.DRAFT
    )


def incident_facts(organisation: Organisation, year: int) -> dict:
    """How many incidents the organisation reported in the year, per kind: counts only, never a
    title, a description or anything else about a single incident."""
    incidents = _incidents_in(organisation, year)
    by_category = Counter(incidents.values_list("category", flat=True))
    serious = incidents.filter(severity__in=SERIOUS_SEVERITIES)
    return {
        "total": sum(by_category.values()),
        "by_category": {key or "unclassified": n for key, n in sorted(by_category.items())},
        "serious": serious.count(),
        "serious_by_category": {
            key or "unclassified": n for key, n in sorted(Counter(serious.values_list("category", flat=True)).items())
        },
        "personal_data": incidents.filter(personal_data_involved=True).count(),
    }


AWARENESS_KEYS = (
    "campaigns",
    "trainings",
    "phishing_simulations",
    "phishing_report_rate",
    "exercises",
    "last_exercise_date",
    "participation_rate",
    "groups_exercised",
)


def awareness_facts(organisation: Organisation, year: int) -> dict | None:
    """The awareness app's own year summary; None when that app is not installed."""
    try:
        from weerbaar.awareness.selectors import year_summary
    except ImportError:
        return None
    summary = year_summary(organisation=organisation, year=year)
    result = {key: summary.get(key) for key in AWARENESS_KEYS}
    for key in ("phishing_report_rate", "participation_rate"):
        result[key] = _rounded(result[key], 4)
    if result["last_exercise_date"] is not None:
        result["last_exercise_date"] = str(result["last_exercise_date"])
    result["groups_exercised"] = [str(g) for g in result["groups_exercised"] or []]
    return result


def dpia_facts(organisation: Organisation, year: int, today: date | None = None) -> dict | None:
    """The organisation's local DPIAs as the privacy app keeps them: a summary function of that
    app when it offers one, otherwise counted from its models with its own definition of a
    current DPIA. None when the privacy app is not installed."""
    try:
        from weerbaar.privacy import selectors as privacy_selectors
        from weerbaar.privacy.choices import LocalStatus, RiskLevel
        from weerbaar.privacy.models import LocalDPIA
    except ImportError:
        return None
    summary = getattr(privacy_selectors, "dpia_summary", None)
    if summary is not None:
        return {
            key: value if isinstance(value, int | float | str | type(None)) else str(value)
            for key, value in summary(organisation=organisation, year=year).items()
        }
    as_of = min(today or timezone.localdate(), _year_end(year))
    dpias = LocalDPIA.objects.filter(organisation=organisation, created_at__date__lte=as_of).exclude(
        status=LocalStatus.SUPERSEDED
    )
    return {
        "total": dpias.count(),
        "completed": dpias.filter(status=LocalStatus.ACCEPTED).count(),
        "current": dpias.filter(privacy_selectors.current_dpia_filter(as_of)).count(),
        "accepted_in_year": dpias.filter(accepted_on__year=year).count(),
        "high_risk": dpias.filter(risks__applies=True, risks__residual=RiskLevel.HIGH).distinct().count(),
    }


def _decimal(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def budget_facts(organisation: Organisation, year: int) -> dict | None:
    budget = budget_for(organisation, year)
    if budget is None:
        return None
    return {
        "security_budget": _decimal(budget.security_budget),
        "ict_budget": _decimal(budget.ict_budget),
        "total_budget": _decimal(budget.total_budget),
        "ict_share": _rounded(budget.ict_share, 4),
        "headcount_fte": _decimal(budget.headcount_fte),
        "ibp_officer_fte": _decimal(budget.ibp_officer_fte),
        "dpo_fte": _decimal(budget.dpo_fte),
        "security_engineer_fte": _decimal(budget.security_engineer_fte),
        "external_fte": _decimal(budget.external_fte),
        "external_services": budget.external_services,
        "per_student": _rounded(float(budget.security_budget) / organisation.student_count)
        if organisation.student_count
        else None,
    }


def paragraph_facts(organisation: Organisation, year: int, today: date | None = None) -> dict:
    """Every figure a paragraph can contain, for an organisation the caller has already
    accessed. JSON-ready, so a draft keeps the figures it was written from."""
    return {
        "organisation": organisation.name,
        "year": year,
        "sector": organisation.sector.code if organisation.sector_id else "",
        "maturity": maturity_facts(organisation, year),
        "audit": audit_facts(organisation, year, today),
        "improvement": improvement_facts(organisation, year, today),
        "posture": posture_facts(organisation),
        "incidents": incident_facts(organisation, year),
        "awareness": awareness_facts(organisation, year),
        "dpias": dpia_facts(organisation, year, today),
        "budget": budget_facts(organisation, year),
    }


def has_data(facts: dict) -> bool:
    """Whether the platform holds anything about the organisation in that year to write about."""
    awareness = facts.get("awareness") or {}
    return bool(
        facts.get("maturity")
        or (facts.get("audit") or {}).get("last")
        or facts["incidents"]["total"]
        or facts.get("budget")
        or any(awareness.get(key) for key in ("campaigns", "trainings", "phishing_simulations", "exercises"))
        or any((facts.get("dpias") or {}).get(key) for key in ("total", "completed"))
    )


def category_label(key: str, language: str) -> str:
    with translation.override(language):
        if key == "unclassified":
            return str(translation.gettext("not yet classified"))
        try:
            return str(Category(key).label)
        except ValueError:
            return key


# --- supervisory-board view -----------------------------------------------------------------


def supervisory_summary(organisation: Organisation, today: date | None = None) -> dict:
    """What a supervisory board looks at, for an organisation the caller has already accessed
    with governance.view: counts and scores only. No evidence, no incident titles, descriptions
    or people; no improvement-action texts."""
    today = today or timezone.localdate()
    year = today.year
    maturity = maturity_facts(organisation, year)
    forecast = monitor_selectors.forecast_for(organisation, today)
    audit = audit_facts(organisation, year, today)
    improvement = improvement_facts(organisation, year, today)
    last_12 = Incident.objects.filter(
        organisation=organisation,
        submitted_at__date__gt=date(today.year - 1, today.month, min(today.day, 28)),
        submitted_at__date__lte=today,
    ).exclude(status=IncidentStatus.DRAFT)
    serious = Counter(last_12.filter(severity__in=SERIOUS_SEVERITIES).values_list("category", flat=True))
    budgets = list(SecurityBudget.objects.filter(organisation=organisation).order_by("-year")[:3])
    return {
        "organisation": organisation,
        "today": today,
        "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        "maturity": maturity,
        "forecast": forecast,
        "audit": audit,
        "improvement": improvement,
        "serious_incidents": sum(serious.values()),
        "serious_by_category": sorted(
            (
                (category_label(key or "unclassified", translation.get_language() or "nl"), n)
                for key, n in serious.items()
            ),
            key=lambda item: (-item[1], item[0]),
        ),
        "incidents_last_12_months": last_12.count(),
        "budgets": budgets,
        "paragraph": current_paragraph(organisation, year - 1),
    }


def supervised_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose supervisory view the user may open, their own first."""
    return (
        visible_organisations(user, Action.GOVERNANCE_VIEW)
        .filter(is_active=True, kind__in=REPORTING_KINDS)
        .select_related("sector")
        .order_by("name")
    )


def home_organisations(user) -> QuerySet[Organisation]:
    """Organisations where the user holds a governance membership themselves (not the schools)."""
    return supervised_organisations(user).filter(memberships__user=user, memberships__is_active=True).distinct()


# --- anonymised sector figures --------------------------------------------------------------


def sector_figures(sector_codes: list[str], year: int, min_group: int | None = None) -> figures.SectorFigures:
    """Per sector (and all the given sectors together): the share of reporting organisations
    with an approved paragraph for the year, and the distribution of the security budget per
    student and per FTE. Anonymised with the benchmark's rules; never one organisation's figure.

    The caller passes only sector codes the reader may see (monitor's aggregate_sector_codes)."""
    min_group = settings.BENCHMARK_MIN_GROUP if min_group is None else min_group
    organisations = Organisation.objects.filter(sector__code__in=sector_codes, kind__in=REPORTING_KINDS, is_active=True)
    population = list(organisations.values_list("pk", "sector__code", "student_count"))
    # The population as a subquery, not a list of ten thousand ids to send and parse.
    ids = organisations.values("pk")
    approved = set(
        AnnualReportParagraph.objects.filter(
            organisation_id__in=ids, year=year, status=ParagraphStatus.APPROVED
        ).values_list("organisation_id", flat=True)
    )
    budgets = {
        organisation_id: (security, headcount)
        for organisation_id, security, headcount in SecurityBudget.objects.filter(
            organisation_id__in=ids, year=year
        ).values_list("organisation_id", "security_budget", "headcount_fte")
    }
    rows = []
    for pk, code, students in population:
        budget = budgets.get(pk)
        rows.append(
            figures.OrganisationFigures(
                organisation_id=pk,
                sector=code,
                approved=pk in approved,
                per_student=float(budget[0]) / students if budget and students else None,
                per_fte=float(budget[0] / budget[1]) if budget and budget[1] else None,
            )
        )
    return figures.build(rows, sectors=sorted(set(sector_codes)), min_group=min_group, year=year)


def reader_sector_codes(user) -> list[str]:
    """The sectors whose anonymised governance figures the user may read (same as the monitor)."""
    return monitor_selectors.aggregate_sector_codes(user)


def figure_years(today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, today.year - 5, -1))


# --- reminders ------------------------------------------------------------------------------


def reminder_recipients_of(organisation_ids: list[int]) -> dict[int, list[str]]:
    """The addresses of the IBP officers and board members of many organisations at once."""
    result: dict[int, list[str]] = {}
    rows = Membership.objects.filter(
        organisation_id__in=organisation_ids,
        is_active=True,
        user__is_active=True,
        role__in=[Role.IBP_OFFICER, Role.BOARD_MEMBER],
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in rows:
        result.setdefault(organisation_id, []).append(email)
    return result


def organisations_without_approval(year: int) -> QuerySet[Organisation]:
    approved = AnnualReportParagraph.objects.filter(year=year, status=ParagraphStatus.APPROVED).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(is_active=True, kind__in=REPORTING_KINDS)
        .exclude(pk__in=approved)
        .filter(~Q(sector=None))
        .select_related("sector")
    )


def access_organisation_by_key(key: str) -> Organisation:
    """For the command line (an operator's tool): an organisation by public id, board number or
    BRIN code."""
    key = (key or "").strip()
    lookups = [Q(board_number=key), Q(brin=key.upper())]
    try:
        import uuid

        lookups.insert(0, Q(public_id=uuid.UUID(key)))
    except ValueError:
        pass
    query = Q()
    for lookup in lookups:
        query |= lookup
    if not key:
        raise Organisation.DoesNotExist
    try:
        return Organisation.objects.select_related("sector").get(query)
    except (Organisation.MultipleObjectsReturned, ValidationError) as exc:
        raise Organisation.DoesNotExist from exc
