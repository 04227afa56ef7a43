"""Writes of governance: budgets, drafting, editing, submitting, approving and versioning the
annual-report paragraph, a sector's paragraph settings, and the reminders before it is due.

A paragraph is locked once a board member approves it: every write below refuses to change an
approved version, whichever door (page, API, command) it came through; a change is a new version."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weerbaar.core import audit
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import NotPermitted, can, require, visible_organisations
from weerbaar.governance import paragraph as paragraph_text
from weerbaar.governance import selectors
from weerbaar.governance.choices import ALL_ELEMENTS, ParagraphStatus
from weerbaar.governance.models import (
    AnnualReportParagraph,
    ParagraphReminder,
    SectorParagraphSettings,
    SecurityBudget,
)
from weerbaar.incidents.choices import Category
from weerbaar.organisations.models import Organisation, Sector

# Anything above this is a typing error, not a budget: the whole Dutch education budget is
# well below it.
MAX_EUROS = Decimal("10000000000")
MAX_HEADCOUNT_FTE = Decimal("100000")
MAX_TEXT = 20000
FTE_FIELDS = ("ibp_officer_fte", "dpo_fte", "security_engineer_fte", "external_fte")
MONEY_FIELDS = ("total_budget", "ict_budget", "security_budget")


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("Enter an amount."))
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    return number


def _check_year(year, errors: dict, today: date | None = None) -> int | None:
    today = today or timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("Enter a year."))
        return None
    if not 2000 <= year <= today.year + 1:
        errors.setdefault("year", []).append(_("Enter a year from 2000 to %(last)d.") % {"last": today.year + 1})
        return None
    return year


@transaction.atomic
def save_budget(
    *,
    actor,
    organisation: Organisation,
    year: int,
    total_budget,
    ict_budget,
    security_budget,
    headcount_fte,
    ibp_officer_fte=0,
    dpo_fte=0,
    security_engineer_fte=0,
    external_fte=0,
    external_services: str = "",
    note: str = "",
) -> SecurityBudget:
    """Record (or correct) an organisation's security budget and staffing for one year. The
    organisation's total and ICT budget and its staff are recorded on the same form, so that
    amounts above the total and FTE above the staff are refused; nothing is written then."""
    require(actor, Action.GOVERNANCE_EDIT, organisation.pk)
    errors: dict[str, list] = {}
    year = _check_year(year, errors)
    values = {}
    for field, raw in (
        ("total_budget", total_budget),
        ("ict_budget", ict_budget),
        ("security_budget", security_budget),
        ("headcount_fte", headcount_fte),
        ("ibp_officer_fte", ibp_officer_fte if ibp_officer_fte not in (None, "") else 0),
        ("dpo_fte", dpo_fte if dpo_fte not in (None, "") else 0),
        ("security_engineer_fte", security_engineer_fte if security_engineer_fte not in (None, "") else 0),
        ("external_fte", external_fte if external_fte not in (None, "") else 0),
    ):
        number = _decimal(raw, field, errors)
        if number is None:
            continue
        if number < 0:
            errors.setdefault(field, []).append(_("An amount cannot be negative."))
            continue
        if field in MONEY_FIELDS and number > MAX_EUROS:
            errors.setdefault(field, []).append(_("This amount is not plausible; check the number of digits."))
            continue
        values[field] = number.quantize(Decimal("0.01"))
    if "headcount_fte" in values:
        if values["headcount_fte"] == 0:
            errors.setdefault("headcount_fte", []).append(_("Enter the organisation's staff in FTE (more than 0)."))
        elif values["headcount_fte"] > MAX_HEADCOUNT_FTE:
            errors.setdefault("headcount_fte", []).append(_("This number of FTE is not plausible."))
    if {"total_budget", "ict_budget"} <= set(values) and values["ict_budget"] > values["total_budget"]:
        errors.setdefault("ict_budget", []).append(_("The ICT budget cannot be larger than the total budget."))
    if {"total_budget", "security_budget"} <= set(values) and values["security_budget"] > values["total_budget"]:
        errors.setdefault("security_budget", []).append(
            _("The security and privacy budget cannot be larger than the total budget.")
        )
    headcount = values.get("headcount_fte")
    if headcount:
        for field in FTE_FIELDS:
            if field in values and values[field] > headcount:
                errors.setdefault(field, []).append(_("This cannot be more than the organisation's total staff (FTE)."))
        own_staff = sum(values.get(f, Decimal(0)) for f in ("ibp_officer_fte", "dpo_fte", "security_engineer_fte"))
        if own_staff > headcount and not any(f in errors for f in FTE_FIELDS):
            errors.setdefault("headcount_fte", []).append(
                _("The IBP officer, DPO and security engineers together cannot be more FTE than the total staff.")
            )
    external_services = (external_services or "").strip()
    if len(external_services) > 300:
        errors.setdefault("external_services", []).append(_("Use at most 300 characters."))
    note = (note or "").strip()
    if len(note) > 5000:
        errors.setdefault("note", []).append(_("Use at most 5000 characters."))
    if errors:
        raise ValidationError(errors)
    values.update(external_services=external_services, note=note)
    budget = SecurityBudget.objects.select_for_update().filter(organisation=organisation, year=year).first()
    if budget is None:
        budget = SecurityBudget.objects.create(organisation=organisation, year=year, updated_by=actor, **values)
        changes = {name: [None, str(value)] for name, value in values.items()}
        action = "budget.create"
    else:
        changes = audit.field_changes(budget, list(values), values)
        for name, value in values.items():
            setattr(budget, name, value)
        budget.updated_by = actor
        budget.save()
        action = "budget.update"
    audit.record(actor=actor, action=action, organisation_id=organisation.pk, obj=budget, changes=changes)
    return budget


@transaction.atomic
def delete_budget(*, actor, budget: SecurityBudget) -> None:
    require(actor, Action.GOVERNANCE_EDIT, budget.organisation_id)
    audit.record(
        actor=actor,
        action="budget.delete",
        organisation_id=budget.organisation_id,
        obj=budget,
        changes={"year": budget.year, "security_budget": str(budget.security_budget)},
    )
    budget.delete()


# --- the paragraph --------------------------------------------------------------------------


def draft_texts(facts: dict, elements: list[str]) -> tuple[str, str]:
    """The Dutch and English draft for the figures and elements."""
    keys = [*Category.values, "unclassified"]
    texts = []
    for language in ("nl", "en"):
        labels = {key: selectors.category_label(key, language) for key in keys}
        texts.append(paragraph_text.compose(facts, elements, language, labels))
    return texts[0], texts[1]


def _locked_error() -> ValidationError:
    return ValidationError(
        _("This paragraph has been approved and is locked. Start a new version to change it."), code="locked"
    )


def _fresh(paragraph: AnnualReportParagraph) -> AnnualReportParagraph:
    """The paragraph as it is in the database now, locked for this transaction, so that two
    requests cannot both pass the status check."""
    return AnnualReportParagraph.objects.select_for_update().select_related("organisation").get(pk=paragraph.pk)


@transaction.atomic
def generate_paragraph(
    *, actor, organisation: Organisation, year: int, today: date | None = None
) -> AnnualReportParagraph:
    """Draft the paragraph for a year from the platform's own figures. Makes version 1, or
    rewrites the open draft (its edits are replaced). A submitted version must be withdrawn
    first; an approved one is locked (start a new version)."""
    require(actor, Action.GOVERNANCE_EDIT, organisation.pk)
    errors: dict = {}
    year = _check_year(year, errors, today)
    if errors:
        raise ValidationError(errors)
    facts = selectors.paragraph_facts(organisation, year, today)
    if not selectors.has_data(facts):
        raise ValidationError(
            {
                "year": [
                    _("The platform holds no figures for %(year)d yet, so there is nothing to write.") % {"year": year}
                ]
            }
        )
    elements = selectors.settings_for(organisation.sector)["elements"]
    text_nl, text_en = draft_texts(facts, elements)
    current = (
        AnnualReportParagraph.objects.select_for_update()
        .filter(organisation=organisation, year=year)
        .order_by("-version")
        .first()
    )
    if current is not None and current.status == ParagraphStatus.APPROVED:
        raise _locked_error()
    if current is not None and current.status == ParagraphStatus.SUBMITTED:
        raise ValidationError(
            _("This paragraph has been submitted to the board. Withdraw it first to draft it again."), code="submitted"
        )
    if current is None:
        paragraph = AnnualReportParagraph.objects.create(
            organisation=organisation,
            year=year,
            version=1,
            elements=elements,
            facts=facts,
            text_nl=text_nl,
            text_en=text_en,
            created_by=actor,
            edited_by=actor,
        )
        action = "paragraph.generate"
    else:
        paragraph = current
        paragraph.elements, paragraph.facts = elements, facts
        paragraph.text_nl, paragraph.text_en = text_nl, text_en
        paragraph.edited_by = actor
        paragraph.save()
        action = "paragraph.regenerate"
    audit.record(
        actor=actor,
        action=action,
        organisation_id=organisation.pk,
        obj=paragraph,
        changes={"year": year, "version": paragraph.version, "elements": elements},
    )
    return paragraph


@transaction.atomic
def edit_paragraph(
    *, actor, paragraph: AnnualReportParagraph, text_nl: str, text_en: str = ""
) -> AnnualReportParagraph:
    """The IBP officer's own wording. Only a draft can be edited."""
    require(actor, Action.GOVERNANCE_EDIT, paragraph.organisation_id)
    paragraph = _fresh(paragraph)
    if paragraph.status == ParagraphStatus.APPROVED:
        raise _locked_error()
    if paragraph.status != ParagraphStatus.DRAFT:
        raise ValidationError(
            _("This paragraph has been submitted to the board. Withdraw it first to change it."), code="submitted"
        )
    text_nl = (text_nl or "").strip()
    text_en = (text_en or "").strip()
    errors = {}
    if not text_nl:
        errors["text_nl"] = [_("The Dutch text cannot be empty.")]
    for name, text in (("text_nl", text_nl), ("text_en", text_en)):
        if len(text) > MAX_TEXT:
            errors.setdefault(name, []).append(_("Use at most %(n)d characters.") % {"n": MAX_TEXT})
    if errors:
        raise ValidationError(errors)
    changes = {
        name: {"before_length": len(getattr(paragraph, name)), "after_length": len(value)}
        for name, value in (("text_nl", text_nl), ("text_en", text_en))
        if getattr(paragraph, name) != value
    }
    paragraph.text_nl, paragraph.text_en, paragraph.edited_by = text_nl, text_en, actor
    paragraph.save()
    audit.record(
        actor=actor, action="paragraph.edit", organisation_id=paragraph.organisation_id, obj=paragraph, changes=changes
    )
    return paragraph


@transaction.atomic
def submit_paragraph(*, actor, paragraph: AnnualReportParagraph) -> AnnualReportParagraph:
    require(actor, Action.GOVERNANCE_EDIT, paragraph.organisation_id)
    paragraph = _fresh(paragraph)
    if paragraph.status != ParagraphStatus.DRAFT:
        raise _locked_error() if paragraph.is_locked else ValidationError(_("Only a draft can be submitted."))
    paragraph.status = ParagraphStatus.SUBMITTED
    paragraph.submitted_by, paragraph.submitted_at = actor, timezone.now()
    paragraph.return_note = ""
    paragraph.save()
    audit.record(
        actor=actor,
        action="paragraph.submit",
        organisation_id=paragraph.organisation_id,
        obj=paragraph,
        changes={"status": [ParagraphStatus.DRAFT, ParagraphStatus.SUBMITTED]},
    )
    return paragraph


@transaction.atomic
def return_paragraph(*, actor, paragraph: AnnualReportParagraph, note: str = "") -> AnnualReportParagraph:
    """Back to draft: the IBP officer withdraws it, or a board member sends it back with a note."""
    if not (
        can(actor, Action.GOVERNANCE_APPROVE, paragraph.organisation_id)
        or can(actor, Action.GOVERNANCE_EDIT, paragraph.organisation_id)
    ):
        raise NotPermitted("governance.edit or governance.approve is not allowed here")
    paragraph = _fresh(paragraph)
    if paragraph.status != ParagraphStatus.SUBMITTED:
        raise (
            _locked_error()
            if paragraph.is_locked
            else ValidationError(_("Only a submitted paragraph can be sent back."))
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": [_("Use at most 2000 characters.")]})
    paragraph.status = ParagraphStatus.DRAFT
    paragraph.return_note = note
    paragraph.save()
    audit.record(
        actor=actor,
        action="paragraph.return",
        organisation_id=paragraph.organisation_id,
        obj=paragraph,
        changes={"status": [ParagraphStatus.SUBMITTED, ParagraphStatus.DRAFT], "note": note},
    )
    return paragraph


@transaction.atomic
def approve_paragraph(*, actor, paragraph: AnnualReportParagraph) -> AnnualReportParagraph:
    """A board member approves the submitted version; from then on it is locked."""
    require(actor, Action.GOVERNANCE_APPROVE, paragraph.organisation_id)
    paragraph = _fresh(paragraph)
    if paragraph.status != ParagraphStatus.SUBMITTED:
        raise (
            _locked_error()
            if paragraph.is_locked
            else ValidationError(_("Only a submitted paragraph can be approved."))
        )
    paragraph.status = ParagraphStatus.APPROVED
    paragraph.approved_by, paragraph.approved_at = actor, timezone.now()
    paragraph.save()
    audit.record(
        actor=actor,
        action="paragraph.approve",
        organisation_id=paragraph.organisation_id,
        obj=paragraph,
        changes={"status": [ParagraphStatus.SUBMITTED, ParagraphStatus.APPROVED]},
    )
    return paragraph


@transaction.atomic
def start_new_version(*, actor, paragraph: AnnualReportParagraph) -> AnnualReportParagraph:
    """A change after approval: a new draft version from the approved text. The approved
    version stays as it was."""
    require(actor, Action.GOVERNANCE_EDIT, paragraph.organisation_id)
    paragraph = _fresh(paragraph)
    newest = (
        AnnualReportParagraph.objects.select_for_update()
        .filter(organisation_id=paragraph.organisation_id, year=paragraph.year)
        .order_by("-version")
        .first()
    )
    if not paragraph.is_locked or newest.pk != paragraph.pk:
        raise ValidationError(_("A new version can only be started from the newest approved version."))
    try:
        with transaction.atomic():
            new = AnnualReportParagraph.objects.create(
                organisation_id=paragraph.organisation_id,
                year=paragraph.year,
                version=paragraph.version + 1,
                elements=paragraph.elements,
                facts=paragraph.facts,
                text_nl=paragraph.text_nl,
                text_en=paragraph.text_en,
                previous=paragraph,
                created_by=actor,
                edited_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("A new version has already been started.")) from exc
    audit.record(
        actor=actor,
        action="paragraph.new_version",
        organisation_id=paragraph.organisation_id,
        obj=new,
        changes={"year": new.year, "version": [paragraph.version, new.version]},
    )
    return new


# --- sector settings ------------------------------------------------------------------------


@transaction.atomic
def set_sector_settings(
    *, actor, sector: Sector, elements: list[str], due_month: int, due_day: int, remind_days_before: int = 30
) -> SectorParagraphSettings:
    """A sector coordinator chooses which elements the sector's paragraphs contain and when the
    annual report is due."""
    coordinator = (
        visible_organisations(actor, Action.SECTOR_COORDINATE).filter(served_sectors=sector).order_by("pk").first()
    )
    if coordinator is None:
        raise NotPermitted("sector.coordinate is not allowed for this sector")
    errors: dict[str, list] = {}
    elements = list(dict.fromkeys(elements or []))
    unknown = [e for e in elements if e not in ALL_ELEMENTS]
    if unknown:
        errors["elements"] = [_("Unknown element: %(names)s.") % {"names": ", ".join(map(str, unknown))}]
    elif not elements:
        errors["elements"] = [_("Choose at least one element.")]
    try:
        due = date(2001, int(due_month), int(due_day))  # a year without 29 February
    except (TypeError, ValueError):
        errors["due_day"] = [_("Enter a day that exists in that month (29 February is not allowed).")]
        due = None
    try:
        remind_days_before = int(remind_days_before)
        if not 1 <= remind_days_before <= 180:
            raise ValueError
    except (TypeError, ValueError):
        errors["remind_days_before"] = [_("Enter a number of days from 1 to 180.")]
    if errors:
        raise ValidationError(errors)
    ordered = [e for e in ALL_ELEMENTS if e in elements]
    current = SectorParagraphSettings.objects.select_for_update().filter(sector=sector).first()
    before = selectors.settings_for(sector)
    values = {"elements": ordered, "due_month": due.month, "due_day": due.day, "remind_days_before": remind_days_before}
    if current is None:
        current = SectorParagraphSettings.objects.create(sector=sector, updated_by=actor, **values)
    else:
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_by = actor
        current.save()
    audit.record(
        actor=actor,
        action="paragraph_settings.update",
        organisation_id=coordinator.pk,
        obj=current,
        changes={name: [before[name], value] for name, value in values.items() if before[name] != value},
        object_label=f"{sector.code}",
    )
    return current


# --- reminders ------------------------------------------------------------------------------


def _reminder_text(organisation: Organisation, year: int, due: date) -> tuple[str, str]:
    with translation.override("nl"):
        subject = _("Reminder: the IBP paragraph for the annual report over %(year)d is due on %(date)s") % {
            "year": year,
            "date": due.isoformat(),
        }
        body = "\n\n".join(
            [
                _(
                    "The annual report of %(name)s over %(year)d must give explicit attention to information "
                    "security and privacy. The paragraph has not been approved by the board yet."
                )
                % {"name": organisation.name, "year": year},
                f"{settings.SITE_URL}/governance/",
                _("This message is sent once for this year."),
            ]
        )
    return subject, body


def send_due_paragraph_reminders(*, today: date | None = None) -> int:
    """Remind the IBP officers and board members of every organisation whose paragraph over last
    year is not approved while the annual report falls due within the sector's reminder window.

    The ParagraphReminder row is written first under a unique key: a second run, or a second
    worker at the same moment, finds it and sends nothing. Returns how many were sent."""
    today = today or timezone.localdate()
    year = today.year - 1
    sent = 0
    # Which sectors are inside their reminder window today, decided once per sector rather than
    # per organisation; the organisations and their recipients are then read in two queries.
    due_by_sector: dict[int, date] = {}
    for sector in Sector.objects.all():
        due = selectors.due_date(sector, year)
        days = selectors.settings_for(sector)["remind_days_before"]
        if due - timedelta(days=days) <= today <= due:
            due_by_sector[sector.pk] = due
    if not due_by_sector:
        return 0
    organisations = list(
        selectors.organisations_without_approval(year)
        .filter(sector_id__in=list(due_by_sector))
        .exclude(pk__in=ParagraphReminder.objects.filter(year=year).values("organisation_id"))
    )
    recipients_of = selectors.reminder_recipients_of([o.pk for o in organisations])
    for organisation in organisations:
        due = due_by_sector[organisation.sector_id]
        recipients = recipients_of.get(organisation.pk, [])
        try:
            with transaction.atomic():
                ParagraphReminder.objects.create(organisation=organisation, year=year, recipients=len(recipients))
                audit.record(
                    actor=None,
                    action="paragraph.reminder_sent",
                    organisation_id=organisation.pk,
                    obj=organisation,
                    changes={"year": year, "due": due.isoformat(), "recipients": len(recipients)},
                )
                if recipients:
                    subject, body = _reminder_text(organisation, year, due)
                    transaction.on_commit(
                        lambda s=subject, b=body, r=recipients: send_mail(s, b, settings.DEFAULT_FROM_EMAIL, r)
                    )
        except IntegrityError:
            continue  # already reminded for this year
        sent += 1
    return sent


# --- demo -----------------------------------------------------------------------------------


@transaction.atomic
def load_demo_governance(*, actor=None, seed: int = 2026, today: date | None = None) -> dict | None:
    """Give every demo board and institution two or three years of budgets, and paragraphs over
    the last two years in every state (draft, submitted, approved; some approved paragraphs in a
    second version). The demo IBP officer's own organisation gets an approved paragraph for the
    year before last and an open draft for last year, so the demo logins can walk the workflow.

    System data for the demo only (never in production, never by a person), written in bulk with
    one audit entry. Returns None, changing nothing, when the demo budgets already exist."""
    import random

    from weerbaar.core.permissions import Role
    from weerbaar.organisations.demo import DEMO_EMAIL_DOMAIN
    from weerbaar.organisations.models import Membership

    if actor is not None:
        raise NotPermitted("the demo governance data is loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo governance data is never loaded in production")
    today = today or timezone.localdate()
    organisations = list(
        Organisation.objects.filter(
            kind__in=selectors.REPORTING_KINDS, is_active=True, sector__isnull=False
        ).select_related("sector")
    )
    if not organisations or SecurityBudget.objects.filter(organisation__in=organisations).exists():
        return None
    rng = random.Random(seed)  # noqa: S311 - reproducible demo figures, not a secret
    people = {
        (m.organisation_id, m.role): m.user
        for m in Membership.objects.filter(
            organisation__in=organisations, role__in=[Role.IBP_OFFICER, Role.BOARD_MEMBER], is_active=True
        ).select_related("user")
    }
    demo_home = set(
        Membership.objects.filter(
            user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}", role=Role.IBP_OFFICER, organisation__in=organisations
        ).values_list("organisation_id", flat=True)
    )
    last, before = today.year - 1, today.year - 2
    budgets = []
    for organisation in organisations:
        students = organisation.student_count or rng.randint(400, 8000)
        years = [before, last] + ([today.year] if rng.random() < 0.5 or organisation.pk in demo_home else [])
        per_student = rng.uniform(18, 75)
        for index, year in enumerate(years):
            growth = 1 + 0.06 * index
            total = Decimal(students * rng.randint(8500, 11000))
            ict = (total * Decimal(str(round(rng.uniform(0.035, 0.07), 4)))).quantize(Decimal("1"))
            security = min(Decimal(round(students * per_student * growth)), ict)
            headcount = Decimal(max(10, students // rng.randint(9, 14)))
            budgets.append(
                SecurityBudget(
                    organisation=organisation,
                    year=year,
                    total_budget=total,
                    ict_budget=ict,
                    security_budget=security,
                    headcount_fte=headcount,
                    ibp_officer_fte=Decimal(str(round(min(1.0, 0.2 + students / 10000), 1))),
                    dpo_fte=Decimal(str(round(rng.choice([0.1, 0.2, 0.4]), 1))),
                    security_engineer_fte=Decimal(str(rng.choice([0, 0, 0.5, 1, 2]) if students > 3000 else 0)),
                    external_fte=Decimal(str(rng.choice([0, 0.2, 0.5]))),
                    external_services=rng.choice(["", "SOC via SIVON", "SOC via SURF", "Pentest en SOC"]),
                )
            )
    SecurityBudget.objects.bulk_create(budgets)
    paragraphs = []
    counts = {"budgets": len(budgets), "draft": 0, "submitted": 0, "approved": 0}
    now = timezone.now()
    for organisation in organisations:
        ibp = people.get((organisation.pk, Role.IBP_OFFICER))
        board = people.get((organisation.pk, Role.BOARD_MEMBER))
        elements = selectors.settings_for(organisation.sector)["elements"]
        if organisation.pk in demo_home:
            plan = [(before, ParagraphStatus.APPROVED), (last, ParagraphStatus.DRAFT)]
        else:
            plan = [(before, rng.choice([ParagraphStatus.APPROVED] * 3 + [None]))]
            plan.append(
                (last, rng.choice([ParagraphStatus.DRAFT, ParagraphStatus.SUBMITTED, ParagraphStatus.APPROVED, None]))
            )
        for year, state in plan:
            if state is None:
                continue
            facts = selectors.paragraph_facts(organisation, year, today)
            text_nl, text_en = draft_texts(facts, elements)
            common = {
                "organisation": organisation,
                "year": year,
                "elements": elements,
                "facts": facts,
                "text_nl": text_nl,
                "text_en": text_en,
                "created_by": ibp,
                "edited_by": ibp,
            }
            submitted = {"submitted_by": ibp, "submitted_at": now} if state != ParagraphStatus.DRAFT else {}
            approved = {"approved_by": board, "approved_at": now} if state == ParagraphStatus.APPROVED else {}
            paragraphs.append(AnnualReportParagraph(version=1, status=state, **common, **submitted, **approved))
            counts[state] += 1
    AnnualReportParagraph.objects.bulk_create(paragraphs)
    audit.record(actor=None, action="governance.demo_loaded", organisation_id=None, changes=counts)
    return counts
