"""Writes of the privacy app: the catalogue and central DPIAs (sector coordinators), products in
use, local DPIAs and their workflow, the processing register and the breach register
(the organisation's own people).

Every function takes the acting user keyword-only, checks the permission, validates, writes in
one transaction and records the change in the audit log. `actor=None` is the platform itself
(management commands, the notification task, the demo).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.core import audit
from weerbaar.core.permissions import Action, roles_allowing
from weerbaar.core.tenancy import NotPermitted, can, require
from weerbaar.organisations.models import Membership, Organisation
from weerbaar.privacy import catalogue_format, prescan, register_format, risk, selectors
from weerbaar.privacy.catalogue_format import FileError, RowError
from weerbaar.privacy.choices import (
    CentralStatus,
    ChangeKind,
    CovenantStatus,
    Decision,
    DpaAnnex,
    DpiaNeed,
    LegalBasis,
    LocalStatus,
    LocationPurpose,
    RiskLevel,
    Scale,
    SchoolMeasureKind,
    SpecialCondition,
    TransferMechanism,
    VendorMeasureStatus,
)
from weerbaar.privacy.models import (
    Breach,
    CentralChange,
    CentralDPIA,
    CentralRisk,
    LocalDPIA,
    LocalMeasure,
    LocalRisk,
    PrivacyNotice,
    ProcessingActivity,
    Product,
    ProductUse,
    ReviewFlag,
    SchoolMeasure,
    Vendor,
    VendorMeasure,
)

# A central change asks for a local review within this many days (sooner if already due).
REVIEW_AFTER_CHANGE_DAYS = 30


class ImportRefusedError(Exception):
    """A file was refused; nothing was written. `errors` name the row and column."""

    def __init__(self, errors: list[RowError] | None = None, message: str = ""):
        self.errors = errors or []
        self.message = message
        super().__init__(message or "; ".join(str(e) for e in self.errors[:20]))


def _require_catalogue(actor, steward: Organisation) -> None:
    if actor is not None:
        require(actor, Action.PRIVACY_CATALOGUE, steward.pk)


def _today() -> date:
    return timezone.localdate()


def _check_country(value: str) -> bool:
    return prescan.is_country_code(value)


# --- catalogue -----------------------------------------------------------------------------------


def _validate_product_lists(
    *, dpa_annexes, data_locations, transfers, sub_processors, trackers, ad_recipients
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if any(a not in DpaAnnex.values for a in dpa_annexes):
        errors["dpa_annexes"] = _("Unknown annex.")
    for item in data_locations:
        if item.get("purpose") not in LocationPurpose.values or not _check_country(item.get("country", "")):
            errors["data_locations"] = _("Each location needs a purpose and a two-letter country code.")
    for item in transfers:
        if item.get("mechanism") not in TransferMechanism.values or not _check_country(item.get("country", "")):
            errors["transfers"] = _("Each transfer needs a two-letter country code and a mechanism.")
    for item in sub_processors:
        if not str(item.get("name", "")).strip() or not _check_country(item.get("country", "")):
            errors["sub_processors"] = _("Each sub-processor needs a name and a two-letter country code.")
    if any(not str(t).strip() for t in [*trackers, *ad_recipients]):
        errors["trackers"] = _("Leave out empty names.")
    return errors


@transaction.atomic
def save_product(
    *,
    actor,
    steward: Organisation,
    code: str,
    vendor_name: str,
    name: str,
    vendor_country: str = "",
    edition: str = "",
    version: str = "",
    description: str = "",
    covenant_status: str = CovenantStatus.NONE,
    covenant_since: date | None = None,
    dpa_version: str = "",
    dpa_annexes: list[str] | None = None,
    data_locations: list[dict] | None = None,
    transfers: list[dict] | None = None,
    sub_processors: list[dict] | None = None,
    trackers: list[str] | None = None,
    ad_recipients: list[str] | None = None,
) -> Product:
    """Create a product of the steward's catalogue, or change the one with this code."""
    _require_catalogue(actor, steward)
    lists = {
        "dpa_annexes": list(dpa_annexes or []),
        "data_locations": list(data_locations or []),
        "transfers": list(transfers or []),
        "sub_processors": list(sub_processors or []),
        "trackers": list(trackers or []),
        "ad_recipients": list(ad_recipients or []),
    }
    errors = _validate_product_lists(**lists)
    code = code.strip().lower()
    if not code:
        errors["code"] = _("Give the product a code.")
    if not name.strip():
        errors["name"] = _("Give the product a name.")
    if not vendor_name.strip():
        errors["vendor_name"] = _("Name the vendor.")
    if covenant_status not in CovenantStatus.values:
        errors["covenant_status"] = _("Unknown Privacyconvenant status.")
    if vendor_country and not _check_country(vendor_country):
        errors["vendor_country"] = _("Give a two-letter country code.")
    product = Product.objects.filter(code=code).first()
    if product is not None and product.steward_id != steward.pk:
        errors["code"] = _("Another sector organisation's catalogue already has a product with this code.")
    if errors:
        raise ValidationError(errors)
    vendor, _created = Vendor.objects.get_or_create(steward=steward, name=vendor_name.strip())
    if vendor_country and vendor.country != vendor_country:
        vendor.country = vendor_country
        vendor.save(update_fields=["country", "updated_at"])
    values = {
        "vendor": vendor,
        "name": name.strip(),
        "edition": edition.strip(),
        "version": version.strip(),
        "description": description,
        "covenant_status": covenant_status,
        "covenant_since": covenant_since,
        "dpa_version": dpa_version.strip(),
        **lists,
    }
    created = product is None
    if created:
        product = Product.objects.create(steward=steward, code=code, **values)
    else:
        for field, value in values.items():
            setattr(product, field, value)
        product.save()
    audit.record(
        actor=actor,
        action="privacy.product_created" if created else "privacy.product_changed",
        organisation_id=steward.pk,
        obj=product,
    )
    return product


@dataclass
class ImportResult:
    created: int
    updated: int


@transaction.atomic
def import_products(*, actor, steward: Organisation, data: bytes) -> ImportResult:
    """Load a catalogue CSV: every row checked first, then all written or none."""
    _require_catalogue(actor, steward)
    try:
        records, errors = catalogue_format.parse_products(data)
    except FileError as exc:
        raise ImportRefusedError(message=str(exc)) from exc
    taken = dict(
        Product.objects.filter(code__in=[r.code for r in records])
        .exclude(steward=steward)
        .values_list("code", "steward__name")
    )
    for record in records:
        if record.code in taken:
            errors.append(RowError(record.row, "code", _("kept by %(steward)s") % {"steward": taken[record.code]}))
    if errors:
        raise ImportRefusedError(sorted(errors, key=lambda e: (e.row, e.column)))
    existing = set(Product.objects.filter(steward=steward).values_list("code", flat=True))
    created = updated = 0
    for record in records:
        try:
            save_product(
                actor=actor,
                steward=steward,
                code=record.code,
                vendor_name=record.vendor,
                vendor_country=record.vendor_country,
                name=record.name,
                edition=record.edition,
                version=record.version,
                description=record.description,
                covenant_status=record.covenant_status,
                covenant_since=record.covenant_since,
                dpa_version=record.dpa_version,
                dpa_annexes=record.dpa_annexes,
                data_locations=record.data_locations,
                transfers=record.transfers,
                sub_processors=record.sub_processors,
                trackers=record.trackers,
                ad_recipients=record.ad_recipients,
            )
        except ValidationError as exc:
            raise ImportRefusedError(
                [RowError(record.row, field, "; ".join(msgs)) for field, msgs in exc.message_dict.items()]
            ) from exc
        if record.code in existing:
            updated += 1
        else:
            created += 1
    audit.record(
        actor=actor,
        action="privacy.catalogue_imported",
        organisation_id=steward.pk,
        changes={"created": created, "updated": updated},
    )
    return ImportResult(created=created, updated=updated)


def export_products_csv(products: Iterable[Product]) -> str:
    return catalogue_format.write_csv(catalogue_format.COLUMNS, (catalogue_format.product_row(p) for p in products))


# --- products in use -----------------------------------------------------------------------------


@transaction.atomic
def record_use(
    *,
    actor,
    organisation: Organisation,
    product: Product,
    since: date | None = None,
    edition: str = "",
    decided_by: str = "",
) -> ProductUse:
    """Record that the organisation uses a product of a catalogue serving its sector."""
    if actor is not None:
        require(actor, Action.PRIVACY_EDIT, organisation.pk)
    if not selectors.catalogue_for(organisation).filter(pk=product.pk).exists():
        raise ValidationError({"product": _("This product is not in a catalogue for your sector.")})
    if since is not None and since > _today():
        raise ValidationError({"since": _("The date lies in the future.")})
    use, created = ProductUse.objects.update_or_create(
        organisation=organisation,
        product=product,
        defaults={"since": since, "edition": edition.strip()[:100], "decided_by": decided_by.strip()[:200]},
    )
    audit.record(
        actor=actor,
        action="privacy.use_recorded" if created else "privacy.use_changed",
        organisation_id=organisation.pk,
        obj=use,
    )
    return use


@transaction.atomic
def end_use(*, actor, use: ProductUse) -> None:
    require(actor, Action.PRIVACY_EDIT, use.organisation_id)
    audit.record(actor=actor, action="privacy.use_ended", organisation_id=use.organisation_id, obj=use)
    use.delete()


# --- central DPIAs -------------------------------------------------------------------------------


def _clean_risks(risks: list[dict], errors: dict, field: str = "risks") -> list[dict]:
    cleaned = []
    codes = set()
    for index, item in enumerate(risks, start=1):
        code = str(item.get("code") or f"R{index}").strip()[:10]
        title = str(item.get("title", "")).strip()
        likelihood, impact = item.get("likelihood"), item.get("impact")
        residual = item.get("residual")
        if not title:
            errors[field] = _("Risk %(n)d has no title.") % {"n": index}
        elif likelihood not in Scale.values or impact not in Scale.values:
            errors[field] = _("Risk %(n)d needs a likelihood and an impact (low, medium, high).") % {"n": index}
        elif residual not in RiskLevel.values:
            errors[field] = _("Risk %(n)d needs a residual level (low, medium, high).") % {"n": index}
        elif risk.higher(residual, risk.level(likelihood, impact)):
            errors[field] = _("The residual level of risk %(n)d is higher than the risk itself.") % {"n": index}
        elif code in codes:
            errors[field] = _("Two risks have code %(code)s.") % {"code": code}
        else:
            codes.add(code)
            cleaned.append(
                {
                    "code": code,
                    "title": title[:300],
                    "description": str(item.get("description", "")),
                    "likelihood": likelihood,
                    "impact": impact,
                    "level": risk.level(likelihood, impact),
                    "residual": residual,
                }
            )
    return cleaned


@transaction.atomic
def create_central_draft(
    *,
    actor,
    product: Product,
    assessed_on: date,
    assessor: str,
    advice: str,
    advice_text: str = "",
    summary: str = "",
    product_version: str = "",
    risks: list[dict] | None = None,
    vendor_measures: list[dict] | None = None,
    school_measures: list[dict] | None = None,
) -> CentralDPIA:
    """A new version of a product's central DPIA, as a draft until published."""
    _require_catalogue(actor, product.steward)
    errors: dict[str, str] = {}
    if advice not in RiskLevel.values:
        errors["advice"] = _("Choose the overall advice: high, medium or low risk.")
    if not assessor.strip():
        errors["assessor"] = _("Say who assessed the product.")
    if assessed_on is None or assessed_on > _today():
        errors["assessed_on"] = _("Give the date of the assessment; it cannot lie in the future.")
    cleaned_risks = _clean_risks(list(risks or []), errors)
    vendor_rows = []
    for index, item in enumerate(vendor_measures or [], start=1):
        if not str(item.get("title", "")).strip():
            errors["vendor_measures"] = _("Vendor measure %(n)d has no title.") % {"n": index}
        elif item.get("status", VendorMeasureStatus.OPEN) not in VendorMeasureStatus.values:
            errors["vendor_measures"] = _("Vendor measure %(n)d has an unknown status.") % {"n": index}
        else:
            vendor_rows.append(
                VendorMeasure(
                    title=str(item["title"]).strip()[:300],
                    due_on=item.get("due_on"),
                    status=item.get("status", VendorMeasureStatus.OPEN),
                )
            )
    school_rows = []
    school_codes = set()
    for index, item in enumerate(school_measures or [], start=1):
        code = str(item.get("code") or f"M{index}").strip()[:10]
        if not str(item.get("title", "")).strip():
            errors["school_measures"] = _("School measure %(n)d has no title.") % {"n": index}
        elif item.get("kind") not in SchoolMeasureKind.values:
            errors["school_measures"] = _("School measure %(n)d needs a kind.") % {"n": index}
        elif code in school_codes:
            errors["school_measures"] = _("Two school measures have code %(code)s.") % {"code": code}
        else:
            school_codes.add(code)
            school_rows.append(
                SchoolMeasure(
                    code=code,
                    kind=item["kind"],
                    title=str(item["title"]).strip()[:300],
                    description=str(item.get("description", "")),
                )
            )
    if errors:
        raise ValidationError(errors)
    Product.objects.select_for_update().filter(pk=product.pk).first()
    number = (product.central_dpias.aggregate(n=Max("number"))["n"] or 0) + 1
    central = CentralDPIA.objects.create(
        product=product,
        number=number,
        product_version=product_version.strip()[:50] or product.version,
        assessed_on=assessed_on,
        assessor=assessor.strip()[:200],
        advice=advice,
        advice_text=advice_text,
        summary=summary,
    )
    CentralRisk.objects.bulk_create([CentralRisk(central=central, **r) for r in cleaned_risks])
    for row in vendor_rows:
        row.central = central
    VendorMeasure.objects.bulk_create(vendor_rows)
    for row in school_rows:
        row.central = central
    SchoolMeasure.objects.bulk_create(school_rows)
    audit.record(
        actor=actor,
        action="privacy.central_drafted",
        organisation_id=product.steward_id,
        obj=central,
        changes={"risks": len(cleaned_risks), "school_measures": len(school_rows)},
    )
    return central


def _announce_later(change: CentralChange) -> None:
    from weerbaar.privacy.tasks import announce_change_task

    transaction.on_commit(lambda: announce_change_task.enqueue(change.pk))


@transaction.atomic
def publish_central(*, actor, central: CentralDPIA) -> CentralDPIA:
    """Publish a draft: the previous published version is kept as superseded, and every
    organisation using the product is told and asked to review its local DPIA."""
    central = CentralDPIA.objects.select_for_update(of=("self",)).select_related("product").get(pk=central.pk)
    _require_catalogue(actor, central.product.steward)
    if central.status != CentralStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    CentralDPIA.objects.filter(product=central.product, status=CentralStatus.PUBLISHED).update(
        status=CentralStatus.SUPERSEDED
    )
    central.status = CentralStatus.PUBLISHED
    central.published_at = timezone.now()
    central.save(update_fields=["status", "published_at", "updated_at"])
    change = CentralChange.objects.create(central=central, kind=ChangeKind.PUBLISHED)
    audit.record(
        actor=actor, action="privacy.central_published", organisation_id=central.product.steward_id, obj=central
    )
    _announce_later(change)
    return central


@transaction.atomic
def change_advice(*, actor, central: CentralDPIA, advice: str, advice_text: str) -> CentralDPIA:
    """Change the overall advice of a published version; users are told as for a new version."""
    central = CentralDPIA.objects.select_for_update(of=("self",)).select_related("product").get(pk=central.pk)
    _require_catalogue(actor, central.product.steward)
    if advice not in RiskLevel.values:
        raise ValidationError({"advice": _("Choose the overall advice: high, medium or low risk.")})
    if central.status == CentralStatus.DRAFT:
        raise ValidationError(_("Change a draft by making it again; only published advice is changed here."))
    if central.status != CentralStatus.PUBLISHED:
        raise ValidationError(_("Only the published version's advice can be changed."))
    if advice == central.advice and advice_text == central.advice_text:
        return central
    changes = audit.field_changes(central, ["advice", "advice_text"], {"advice": advice, "advice_text": advice_text})
    central.advice, central.advice_text = advice, advice_text
    central.save(update_fields=["advice", "advice_text", "updated_at"])
    change = CentralChange.objects.create(central=central, kind=ChangeKind.ADVICE)
    audit.record(
        actor=actor,
        action="privacy.central_advice_changed",
        organisation_id=central.product.steward_id,
        obj=central,
        changes=changes,
    )
    _announce_later(change)
    return central


@transaction.atomic
def withdraw_central(*, actor, central: CentralDPIA) -> CentralDPIA:
    """Withdraw a version: no new local DPIA may build on it, and its users are told."""
    central = CentralDPIA.objects.select_for_update(of=("self",)).select_related("product").get(pk=central.pk)
    _require_catalogue(actor, central.product.steward)
    if central.status == CentralStatus.WITHDRAWN:
        raise ValidationError(_("This version is already withdrawn."))
    was_published = central.status == CentralStatus.PUBLISHED
    central.status = CentralStatus.WITHDRAWN
    central.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action="privacy.central_withdrawn", organisation_id=central.product.steward_id, obj=central
    )
    if was_published:
        _announce_later(CentralChange.objects.create(central=central, kind=ChangeKind.WITHDRAWN))
    return central


@transaction.atomic
def set_vendor_measure(*, actor, measure: VendorMeasure, status: str, due_on: date | None = None) -> VendorMeasure:
    measure = VendorMeasure.objects.select_related("central__product").get(pk=measure.pk)
    _require_catalogue(actor, measure.central.product.steward)
    if status not in VendorMeasureStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    changes = audit.field_changes(measure, ["status", "due_on"], {"status": status, "due_on": due_on})
    measure.status, measure.due_on = status, due_on
    measure.save(update_fields=["status", "due_on"])
    audit.record(
        actor=actor,
        action="privacy.vendor_measure_changed",
        organisation_id=measure.central.product.steward_id,
        obj=measure.central,
        changes=changes,
    )
    return measure


def _editor_roles() -> list[str]:
    return list(roles_allowing(Action.PRIVACY_EDIT))


@transaction.atomic
def announce_change(*, change_id: int) -> int:
    """Tell every organisation using the product about a central change, once: flag its local
    DPIAs of the product for review, leave a notice for its privacy people and e-mail them.

    Safe to run twice or at the same time: the change row is locked, and an organisation is
    told only when its ReviewFlag is new. All writes are in bulk, so 5,000 organisations cost a
    handful of queries. Returns the number of organisations told this time."""
    change = (
        CentralChange.objects.select_for_update(of=("self",))
        .select_related("central__product")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return 0
    central = change.central
    product = central.product
    using = set(ProductUse.objects.filter(product=product).values_list("organisation_id", flat=True))
    done = set(ReviewFlag.objects.filter(change=change).values_list("organisation_id", flat=True))
    new = sorted(using - done)
    if not new:
        if change.announced_at is None:
            change.announced_at = timezone.now()
            change.save(update_fields=["announced_at"])
        return 0
    ReviewFlag.objects.bulk_create([ReviewFlag(organisation_id=o, change=change) for o in new], batch_size=1000)
    text = _(
        "The central DPIA of %(product)s has changed (%(change)s, version %(number)d): review your local DPIA."
    ) % {
        "product": product,
        "change": ChangeKind(change.kind).label,
        "number": central.number,
    }
    today = _today()
    due = today + timedelta(days=REVIEW_AFTER_CHANGE_DAYS)
    reason = text[:300]
    flagged = LocalDPIA.objects.filter(organisation_id__in=new, product=product).exclude(status=LocalStatus.SUPERSEDED)
    # Two updates rather than one with a conditional expression: "sooner, never later".
    flagged.filter(Q(review_due__isnull=True) | Q(review_due__gt=due)).update(review_due=due)
    flagged.update(needs_review=True, review_reason=reason, updated_at=timezone.now())
    # Who hears it: the privacy people of the organisation and of its board.
    parents = dict(Organisation.objects.filter(pk__in=new, parent__isnull=False).values_list("pk", "parent_id"))
    by_org: dict[int, list[int]] = {}
    for org_id in new:
        by_org.setdefault(org_id, []).append(org_id)
        if org_id in parents:
            by_org.setdefault(parents[org_id], []).append(org_id)
    people = Membership.objects.filter(
        organisation_id__in=list(by_org), role__in=_editor_roles(), is_active=True, user__is_active=True
    ).values_list("organisation_id", "user_id", "user__email")
    notices = []
    emails: dict[str, None] = {}
    seen = set()
    for home, user_id, email in people:
        for org_id in by_org[home]:
            if (user_id, org_id) in seen:
                continue
            seen.add((user_id, org_id))
            notices.append(PrivacyNotice(user_id=user_id, organisation_id=org_id, central=central, message=text[:300]))
            emails[email] = None
    PrivacyNotice.objects.bulk_create(notices, batch_size=1000)
    change.announced_at = timezone.now()
    change.save(update_fields=["announced_at"])
    audit.record(
        actor=None,
        action="privacy.central_change_announced",
        organisation_id=product.steward_id,
        obj=central,
        changes={"organisations": len(new), "notices": len(notices)},
    )
    subject = _("Central DPIA changed: %(product)s") % {"product": product}
    body = "\n\n".join([text, f"{settings.SITE_URL}/privacy/central/{central.public_id}/"])
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in emails]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False) if messages else None)
    return len(new)


# --- local DPIAs ---------------------------------------------------------------------------------


def _editable(dpia: LocalDPIA) -> None:
    if dpia.locked:
        raise ValidationError(_("An accepted DPIA is locked; start a new version to change it."))


def _lock_local(dpia: LocalDPIA) -> LocalDPIA:
    return LocalDPIA.objects.select_for_update(of=("self",)).select_related("organisation", "central").get(pk=dpia.pk)


def _copy_central(dpia: LocalDPIA, central: CentralDPIA, carry: LocalDPIA | None = None) -> None:
    """Risks and school measures of the central DPIA into the local one; `carry` keeps the
    ticks and implementation records of an earlier version where the code is the same."""
    old_risks = {}
    old_measures = {}
    if carry is not None:
        old_risks = {r.central_risk.code: r for r in carry.risks.select_related("central_risk") if r.central_risk}
        old_measures = {
            m.school_measure.code: m for m in carry.measures.select_related("school_measure") if m.school_measure
        }
    risks = []
    for item in central.risks.all():
        before = old_risks.get(item.code)
        risks.append(
            LocalRisk(
                dpia=dpia,
                central_risk=item,
                applies=before.applies if before else True,
                title=item.title,
                description=item.description,
                likelihood=before.likelihood if before else item.likelihood,
                impact=before.impact if before else item.impact,
                level=before.level if before else item.level,
                residual=before.residual if before else item.residual,
            )
        )
    LocalRisk.objects.bulk_create(risks)
    measures = []
    for item in central.school_measures.all():
        before = old_measures.get(item.code)
        measures.append(
            LocalMeasure(
                dpia=dpia,
                school_measure=item,
                kind=item.kind,
                title=item.title,
                implemented=before.implemented if before else False,
                implemented_on=before.implemented_on if before else None,
                note=before.note if before else "",
            )
        )
    LocalMeasure.objects.bulk_create(measures)


@transaction.atomic
def start_local_dpia(
    *,
    actor,
    organisation: Organisation,
    title: str,
    central: CentralDPIA | None = None,
    product: Product | None = None,
) -> LocalDPIA:
    """Start a local DPIA: on a published central DPIA (its risks to tick, its school measures
    to record) or from scratch (optionally for a product)."""
    if actor is not None:
        require(actor, Action.PRIVACY_EDIT, organisation.pk)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the DPIA a title.")
    if central is not None:
        central = CentralDPIA.objects.select_related("product").get(pk=central.pk)
        if central.status == CentralStatus.WITHDRAWN:
            errors["central"] = _("This central DPIA has been withdrawn; build on the current version.")
        elif central.status != CentralStatus.PUBLISHED:
            errors["central"] = _("Build on the published version of the central DPIA.")
        elif not selectors.catalogue_for(organisation).filter(pk=central.product_id).exists():
            errors["central"] = _("This product is not in a catalogue for your sector.")
        product = central.product
    elif product is not None and not selectors.catalogue_for(organisation).filter(pk=product.pk).exists():
        errors["product"] = _("This product is not in a catalogue for your sector.")
    if errors:
        raise ValidationError(errors)
    dpia = LocalDPIA.objects.create(
        organisation=organisation,
        title=title.strip()[:200],
        product=product,
        central=central,
        created_by=actor,
        description=central.summary if central else "",
    )
    if central is not None:
        _copy_central(dpia, central)
    audit.record(
        actor=actor,
        action="privacy.local_started",
        organisation_id=organisation.pk,
        obj=dpia,
        changes={"central": str(central.public_id) if central else None},
    )
    return dpia


LOCAL_TEXT_FIELDS = ("title", "description", "data_description", "lawfulness", "measures_note")


@transaction.atomic
def update_local_dpia(*, actor, dpia: LocalDPIA, **values) -> LocalDPIA:
    """Change the texts of the four parts and the pre-scan answers. After the DPO's advice a
    change sends the DPIA back to draft: the board accepts what the DPO advised on."""
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    _editable(dpia)
    allowed = {*LOCAL_TEXT_FIELDS, "legal_basis", "ap_types", "edpb_criteria"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    if "title" in values and not str(values["title"]).strip():
        errors["title"] = _("Give the DPIA a title.")
    if values.get("legal_basis") and values["legal_basis"] not in LegalBasis.values:
        errors["legal_basis"] = _("Unknown legal basis.")
    errors.update(prescan.validate(values.get("ap_types", []), values.get("edpb_criteria", []), []))
    if errors:
        raise ValidationError(errors)
    changed = [f for f, v in values.items() if getattr(dpia, f) != v]
    if not changed:
        return dpia
    for field in changed:
        setattr(dpia, field, values[field])
    if dpia.status == LocalStatus.ADVISED:
        dpia.status = LocalStatus.DRAFT
        dpia.advised_on = None
        dpia.advised_by = None
        changed += ["status", "advised_on", "advised_by"]
    dpia.save()
    audit.record(
        actor=actor,
        action="privacy.local_changed",
        organisation_id=dpia.organisation_id,
        obj=dpia,
        changes={"fields": changed},
    )
    return dpia


def _risk_values(likelihood: str, impact: str, residual: str) -> dict:
    if likelihood not in Scale.values or impact not in Scale.values:
        raise ValidationError({"likelihood": _("Choose a likelihood and an impact: low, medium or high.")})
    if residual not in RiskLevel.values:
        raise ValidationError({"residual": _("Choose the residual level: low, medium or high.")})
    level = risk.level(likelihood, impact)
    if risk.higher(residual, level):
        raise ValidationError({"residual": _("The residual level cannot be higher than the risk itself.")})
    return {"likelihood": likelihood, "impact": impact, "level": level, "residual": residual}


def _touch(dpia: LocalDPIA) -> None:
    """A change to the risks or measures after the DPO's advice sends the DPIA back to draft."""
    fields = ["updated_at"]
    if dpia.status == LocalStatus.ADVISED:
        dpia.status, dpia.advised_on, dpia.advised_by = LocalStatus.DRAFT, None, None
        fields += ["status", "advised_on", "advised_by"]
    dpia.save(update_fields=fields)


@transaction.atomic
def set_local_risk(
    *, actor, risk_row: LocalRisk, applies: bool, likelihood: str, impact: str, residual: str
) -> LocalRisk:
    dpia = _lock_local(risk_row.dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    _editable(dpia)
    values = _risk_values(likelihood, impact, residual)
    risk_row.applies = applies
    for field, value in values.items():
        setattr(risk_row, field, value)
    risk_row.save()
    _touch(dpia)
    audit.record(
        actor=actor,
        action="privacy.local_risk_changed",
        organisation_id=dpia.organisation_id,
        obj=dpia,
        changes={"risk": str(risk_row.public_id), "applies": applies, **values},
    )
    return risk_row


@transaction.atomic
def add_local_risk(
    *, actor, dpia: LocalDPIA, title: str, likelihood: str, impact: str, residual: str, description: str = ""
) -> LocalRisk:
    """A risk of the organisation's own, beside those of the central DPIA."""
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    _editable(dpia)
    if not title.strip():
        raise ValidationError({"title": _("Describe the risk in a few words.")})
    values = _risk_values(likelihood, impact, residual)
    row = LocalRisk.objects.create(dpia=dpia, title=title.strip()[:300], description=description, **values)
    _touch(dpia)
    audit.record(actor=actor, action="privacy.local_risk_added", organisation_id=dpia.organisation_id, obj=dpia)
    return row


@transaction.atomic
def add_local_measure(*, actor, dpia: LocalDPIA, title: str, kind: str) -> LocalMeasure:
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    _editable(dpia)
    if not title.strip():
        raise ValidationError({"title": _("Describe the measure in a few words.")})
    if kind not in SchoolMeasureKind.values:
        raise ValidationError({"kind": _("Choose the kind of measure.")})
    row = LocalMeasure.objects.create(dpia=dpia, title=title.strip()[:300], kind=kind)
    _touch(dpia)
    audit.record(actor=actor, action="privacy.local_measure_added", organisation_id=dpia.organisation_id, obj=dpia)
    return row


@transaction.atomic
def set_local_measure(
    *, actor, measure: LocalMeasure, implemented: bool, implemented_on: date | None = None, note: str = ""
) -> LocalMeasure:
    """Record whether and when a school measure was implemented."""
    dpia = _lock_local(measure.dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    _editable(dpia)
    if implemented and implemented_on is None:
        raise ValidationError({"implemented_on": _("Say when the measure was implemented.")})
    if implemented_on is not None and implemented_on > _today():
        raise ValidationError({"implemented_on": _("The date lies in the future.")})
    measure.implemented = implemented
    measure.implemented_on = implemented_on if implemented else None
    measure.note = note.strip()[:500]
    measure.save()
    _touch(dpia)
    audit.record(
        actor=actor,
        action="privacy.local_measure_changed",
        organisation_id=dpia.organisation_id,
        obj=dpia,
        changes={
            "measure": str(measure.public_id),
            "implemented": implemented,
            "implemented_on": measure.implemented_on,
        },
    )
    return measure


def prescan_of(dpia: LocalDPIA) -> prescan.PrescanResult:
    """The pre-scan of a local DPIA: its answers, with the transfers of its product."""
    transfers = []
    if dpia.product is not None:
        transfers = [prescan.Transfer(t["country"], t["mechanism"]) for t in dpia.product.transfers]
    return prescan.evaluate(dpia.ap_types, dpia.edpb_criteria, transfers)


@transaction.atomic
def record_advice(*, actor, dpia: LocalDPIA, advice: str, advised_on: date) -> LocalDPIA:
    """The DPO's advice on a draft DPIA (GDPR Art. 35(2))."""
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    if not selectors.is_dpo_for(actor, dpia.organisation):
        raise NotPermitted("only the DPO gives advice")
    _editable(dpia)
    errors: dict[str, str] = {}
    if dpia.status != LocalStatus.DRAFT:
        errors["advice"] = _("Advice is given on a draft.")
    if not advice.strip():
        errors["advice"] = _("Write down the advice.")
    if advised_on is None or advised_on > _today():
        errors["advised_on"] = _("Give the date of the advice; it cannot lie in the future.")
    elif advised_on < timezone.localdate(dpia.created_at):
        errors["advised_on"] = _("The advice cannot be older than the DPIA.")
    if dpia.central is not None and dpia.central.status == CentralStatus.WITHDRAWN:
        errors["central"] = _("The central DPIA this builds on has been withdrawn; start a new version.")
    if errors:
        raise ValidationError(errors)
    dpia.dpo_advice, dpia.advised_on, dpia.advised_by = advice.strip(), advised_on, actor
    dpia.status = LocalStatus.ADVISED
    dpia.save()
    audit.record(actor=actor, action="privacy.local_advised", organisation_id=dpia.organisation_id, obj=dpia)
    return dpia


@transaction.atomic
def accept_local_dpia(
    *, actor, dpia: LocalDPIA, accepted_on: date, review_due: date, residual_accepted: str = ""
) -> LocalDPIA:
    """A board member accepts the DPIA with its residual risks; it is locked from then on. An
    earlier accepted version is replaced."""
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_ACCEPT, dpia.organisation_id)
    errors: dict[str, str] = {}
    if dpia.status != LocalStatus.ADVISED:
        raise ValidationError(_("The DPO must advise on the DPIA before the board accepts it."))
    if accepted_on is None or accepted_on > _today():
        errors["accepted_on"] = _("Give the date of acceptance; it cannot lie in the future.")
    elif dpia.advised_on and accepted_on < dpia.advised_on:
        errors["accepted_on"] = _("The DPIA cannot be accepted before the DPO advised on it (%(date)s).") % {
            "date": dpia.advised_on.isoformat()
        }
    if review_due is None or (accepted_on and review_due <= accepted_on):
        errors["review_due"] = _("The review must fall after the acceptance.")
    residual_left = dpia.risks.filter(applies=True, residual__in=[RiskLevel.MEDIUM, RiskLevel.HIGH]).exists()
    if residual_left and not residual_accepted.strip():
        errors["residual_accepted"] = _("Say which residual risks the board accepts, and why.")
    if dpia.central is not None and dpia.central.status == CentralStatus.WITHDRAWN:
        errors["central"] = _("The central DPIA this builds on has been withdrawn; start a new version.")
    if errors:
        raise ValidationError(errors)
    dpia.status = LocalStatus.ACCEPTED
    dpia.accepted_on, dpia.accepted_by = accepted_on, actor
    dpia.residual_accepted = residual_accepted.strip()
    dpia.review_due = review_due
    dpia.needs_review, dpia.review_reason = False, ""
    dpia.save()
    if dpia.previous_id:
        LocalDPIA.objects.filter(pk=dpia.previous_id).update(status=LocalStatus.SUPERSEDED)
    audit.record(
        actor=actor,
        action="privacy.local_accepted",
        organisation_id=dpia.organisation_id,
        obj=dpia,
        changes={"accepted_on": accepted_on, "review_due": review_due},
    )
    return dpia


@transaction.atomic
def new_local_version(*, actor, dpia: LocalDPIA) -> LocalDPIA:
    """A new draft version of an accepted DPIA. When the product has a newer published central
    DPIA, the new version builds on that one, keeping ticks and implementation records where
    the codes match; the organisation's own risks and measures come along as they were."""
    dpia = _lock_local(dpia)
    require(actor, Action.PRIVACY_EDIT, dpia.organisation_id)
    if dpia.status != LocalStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted DPIA gets a new version; change the draft itself."))
    if LocalDPIA.objects.filter(previous=dpia).exists():
        raise ValidationError(_("A newer version already exists."))
    central = selectors.newest_published(dpia.product) if dpia.product_id else None
    if dpia.central_id and central is None:
        central = None  # the central DPIA was withdrawn and none replaces it: continue on our own
    new = LocalDPIA.objects.create(
        organisation=dpia.organisation,
        title=dpia.title,
        product=dpia.product,
        central=central if dpia.central_id else None,
        number=dpia.number + 1,
        previous=dpia,
        description=dpia.description,
        data_description=dpia.data_description,
        legal_basis=dpia.legal_basis,
        lawfulness=dpia.lawfulness,
        measures_note=dpia.measures_note,
        ap_types=dpia.ap_types,
        edpb_criteria=dpia.edpb_criteria,
        created_by=actor,
    )
    if new.central_id:
        _copy_central(new, new.central, carry=dpia)
    LocalRisk.objects.bulk_create(
        [
            LocalRisk(
                dpia=new,
                applies=r.applies,
                title=r.title,
                description=r.description,
                likelihood=r.likelihood,
                impact=r.impact,
                level=r.level,
                residual=r.residual,
                central_risk=None if new.central_id else r.central_risk,
            )
            for r in dpia.risks.all()
            if r.central_risk_id is None or not new.central_id
        ]
    )
    LocalMeasure.objects.bulk_create(
        [
            LocalMeasure(
                dpia=new,
                kind=m.kind,
                title=m.title,
                implemented=m.implemented,
                implemented_on=m.implemented_on,
                note=m.note,
                school_measure=None if new.central_id else m.school_measure,
            )
            for m in dpia.measures.all()
            if m.school_measure_id is None or not new.central_id
        ]
    )
    audit.record(actor=actor, action="privacy.local_new_version", organisation_id=dpia.organisation_id, obj=new)
    return new


def local_json(dpia: LocalDPIA) -> dict:
    """The whole local DPIA as plain data, for the JSON export and the API."""
    result = prescan_of(dpia)
    return {
        "id": str(dpia.public_id),
        "organisation": dpia.organisation.name,
        "title": dpia.title,
        "version": dpia.number,
        "status": dpia.status,
        "product": dpia.product.code if dpia.product else None,
        "central_dpia": {
            "id": str(dpia.central.public_id),
            "version": dpia.central.number,
            "advice": dpia.central.advice,
        }
        if dpia.central
        else None,
        "description": {"processing": dpia.description, "data": dpia.data_description},
        "lawfulness": {"legal_basis": dpia.legal_basis, "assessment": dpia.lawfulness},
        "risks": [
            {
                "title": r.title,
                "from_central": r.central_risk.code if r.central_risk else None,
                "applies": r.applies,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "level": r.level,
                "residual": r.residual,
            }
            for r in dpia.risks.select_related("central_risk")
        ],
        "measures": [
            {
                "title": m.title,
                "kind": m.kind,
                "from_central": m.school_measure.code if m.school_measure else None,
                "implemented": m.implemented,
                "implemented_on": m.implemented_on.isoformat() if m.implemented_on else None,
                "note": m.note,
            }
            for m in dpia.measures.select_related("school_measure")
        ],
        "other_measures": dpia.measures_note,
        "prescan": {
            "ap_types": dpia.ap_types,
            "edpb_criteria": dpia.edpb_criteria,
            "dpia": result.dpia,
            "dtia_needed": result.dtia,
            "reasons": [str(r) for r in [*result.dpia_reasons, *result.dtia_reasons]],
        },
        "dpo_advice": {"text": dpia.dpo_advice, "date": dpia.advised_on.isoformat() if dpia.advised_on else None},
        "acceptance": {
            "date": dpia.accepted_on.isoformat() if dpia.accepted_on else None,
            "residual_risks_accepted": dpia.residual_accepted,
        },
        "review_due": dpia.review_due.isoformat() if dpia.review_due else None,
        "needs_review": dpia.needs_review,
    }


# --- processing register -------------------------------------------------------------------------


def _clean_activity(organisation: Organisation, values: dict) -> tuple[dict, list[Product], dict[str, str]]:
    errors: dict[str, str] = {}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = _("Give the activity a name.")
    elif len(name) > 200:
        errors["name"] = _("Keep the name under 200 characters.")
    if not str(values.get("purposes", "")).strip():
        errors["purposes"] = _("Describe the purposes.")
    if values.get("legal_basis") not in LegalBasis.values:
        errors["legal_basis"] = _("Choose the legal basis.")
    if values.get("special_condition") and values["special_condition"] not in SpecialCondition.values:
        errors["special_condition"] = _("Unknown condition.")
    if values.get("dpia_needed", DpiaNeed.UNKNOWN) not in DpiaNeed.values:
        errors["dpia_needed"] = _("Unknown answer.")
    for item in values.get("transfers", []):
        if item.get("mechanism") not in TransferMechanism.values or not _check_country(item.get("country", "")):
            errors["transfers"] = _("Each transfer needs a two-letter country code and a mechanism.")
    codes = [c.lower() for c in values.get("processor_codes", [])]
    processors = list(selectors.catalogue_for(organisation).filter(code__in=codes))
    unknown = sorted(set(codes) - {p.code for p in processors})
    if unknown:
        errors["processors"] = _("Unknown product: %(codes)s") % {"codes": ", ".join(unknown)}
    covering = values.get("covering_dpia")
    if covering is not None and covering.organisation_id != organisation.pk:
        errors["covering_dpia"] = _("Choose a DPIA of this organisation.")
    cleaned = {
        "name": name,
        "purposes": str(values.get("purposes", "")).strip(),
        "legal_basis": values.get("legal_basis"),
        "special_condition": values.get("special_condition") or "",
        "data_subjects": [str(s).strip() for s in values.get("data_subjects", []) if str(s).strip()],
        "data_categories": [str(s).strip() for s in values.get("data_categories", []) if str(s).strip()],
        "recipients": str(values.get("recipients", "")),
        "transfers": list(values.get("transfers", [])),
        "retention": str(values.get("retention", "")).strip()[:300],
        "security_measures": str(values.get("security_measures", "")),
        "dpia_needed": values.get("dpia_needed", DpiaNeed.UNKNOWN),
        "covering_dpia": covering,
    }
    return cleaned, processors, errors


def _write_activity(organisation, activity, cleaned, processors) -> ProcessingActivity:
    if activity is None:
        activity = ProcessingActivity(organisation=organisation)
    for field, value in cleaned.items():
        setattr(activity, field, value)
    activity.save()
    activity.processors.set(processors)
    return activity


@transaction.atomic
def save_activity(
    *, actor, organisation: Organisation, activity: ProcessingActivity | None = None, **values
) -> ProcessingActivity:
    """Create or change one processing activity. `values` holds the register's fields, with
    the processors as `processor_codes` (catalogue codes)."""
    require(actor, Action.PRIVACY_EDIT, organisation.pk)
    if activity is not None and activity.organisation_id != organisation.pk:
        raise NotPermitted("activity of another organisation")
    cleaned, processors, errors = _clean_activity(organisation, values)
    clash = ProcessingActivity.objects.filter(organisation=organisation, name__iexact=cleaned["name"])
    if activity is not None:
        clash = clash.exclude(pk=activity.pk)
    if cleaned["name"] and clash.exists():
        errors["name"] = _("The register already has an activity with this name.")
    if errors:
        raise ValidationError(errors)
    created = activity is None
    activity = _write_activity(organisation, activity, cleaned, processors)
    audit.record(
        actor=actor,
        action="privacy.activity_created" if created else "privacy.activity_changed",
        organisation_id=organisation.pk,
        obj=activity,
    )
    return activity


@transaction.atomic
def delete_activity(*, actor, activity: ProcessingActivity) -> None:
    require(actor, Action.PRIVACY_EDIT, activity.organisation_id)
    audit.record(actor=actor, action="privacy.activity_deleted", organisation_id=activity.organisation_id, obj=activity)
    activity.delete()


@transaction.atomic
def apply_template(*, actor, organisation: Organisation, keys: Iterable[str] | None = None) -> int:
    """Add the sector template's activities the register does not have yet (by name)."""
    if actor is not None:
        require(actor, Action.PRIVACY_EDIT, organisation.pk)
    chosen = [t for t in register_format.TEMPLATE if keys is None or t.key in set(keys)]
    have = {
        n.lower() for n in ProcessingActivity.objects.filter(organisation=organisation).values_list("name", flat=True)
    }
    added = 0
    for item in chosen:
        name = str(item.name)
        if name.lower() in have:
            continue
        ProcessingActivity.objects.create(
            organisation=organisation,
            name=name,
            purposes=str(item.purposes),
            legal_basis=item.legal_basis,
            special_condition=item.special_condition,
            data_subjects=[str(s) for s in item.data_subjects],
            data_categories=[str(s) for s in item.data_categories],
            retention=str(item.retention),
            dpia_needed=item.dpia_needed,
        )
        added += 1
    audit.record(
        actor=actor, action="privacy.template_applied", organisation_id=organisation.pk, changes={"added": added}
    )
    return added


@transaction.atomic
def import_register(*, actor, organisation: Organisation, data: bytes, file_format: str) -> ImportResult:
    """Load a register file into an organisation: checked whole first, then all written or none.
    An activity with the same name is replaced; others are added."""
    if actor is not None:
        require(actor, Action.PRIVACY_EDIT, organisation.pk)
    try:
        records, errors = register_format.parse(data, file_format)
    except FileError as exc:
        raise ImportRefusedError(message=str(exc)) from exc
    known = set(selectors.catalogue_for(organisation).values_list("code", flat=True))
    for record in records:
        unknown = [c for c in record.processors if c not in known]
        if unknown:
            errors.append(
                RowError(record.row, "processors", _("unknown product %(codes)s") % {"codes": ", ".join(unknown)})
            )
    if errors:
        raise ImportRefusedError(sorted(errors, key=lambda e: (e.row, e.column)))
    existing = {a.name.lower(): a for a in ProcessingActivity.objects.filter(organisation=organisation)}
    created = updated = 0
    for record in records:
        values = {
            "name": record.name,
            "purposes": record.purposes,
            "legal_basis": record.legal_basis,
            "special_condition": record.special_condition,
            "data_subjects": record.data_subjects,
            "data_categories": record.data_categories,
            "recipients": record.recipients,
            "processor_codes": record.processors,
            "transfers": record.transfers,
            "retention": record.retention,
            "security_measures": record.security_measures,
            "dpia_needed": record.dpia_needed,
        }
        activity = existing.get(record.name.lower())
        if activity is not None:
            values["covering_dpia"] = activity.covering_dpia
        cleaned, processors, problems = _clean_activity(organisation, values)
        if problems:
            raise ImportRefusedError([RowError(record.row, f, m) for f, m in problems.items()])
        _write_activity(organisation, activity, cleaned, processors)
        if activity is None:
            created += 1
        else:
            updated += 1
    audit.record(
        actor=actor,
        action="privacy.register_imported",
        organisation_id=organisation.pk,
        changes={"created": created, "updated": updated},
    )
    return ImportResult(created=created, updated=updated)


def register_rows(activities: Iterable[ProcessingActivity]) -> list[list[str]]:
    return [register_format.activity_row(a, [p.code for p in a.processors.all()]) for a in activities]


def export_register(activities: Iterable[ProcessingActivity], file_format: str, title: str = "") -> bytes:
    rows = register_rows(activities)
    if file_format == "xlsx":
        return register_format.write_xlsx(rows, title or _("Processing register"))
    return catalogue_format.write_csv(register_format.COLUMNS, rows).encode("utf-8")


# --- breach register -----------------------------------------------------------------------------

BREACH_FIELDS = (
    "title",
    "description",
    "occurred_on",
    "discovered_on",
    "data_categories",
    "people_affected",
    "report_to_authority",
    "authority_reason",
    "authority_reported_on",
    "inform_people",
    "people_reason",
    "people_informed_on",
    "measures",
    "decided_on",
)


def _check_breach(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = _today()
    if not str(values.get("title", "")).strip():
        errors["title"] = _("Give the breach a short title.")
    discovered = values.get("discovered_on")
    if discovered is None:
        errors["discovered_on"] = _("Say when the breach was discovered.")
    for field in ("occurred_on", "discovered_on", "authority_reported_on", "people_informed_on", "decided_on"):
        if values.get(field) and values[field] > today:
            errors[field] = _("The date lies in the future.")
    if values.get("occurred_on") and discovered and values["occurred_on"] > discovered:
        errors["occurred_on"] = _("A breach cannot happen after it was discovered.")
    for field in ("authority_reported_on", "people_informed_on", "decided_on"):
        if values.get(field) and discovered and values[field] < discovered:
            errors.setdefault(field, _("This date lies before the breach was discovered."))
    for decision, reason, moment in (
        ("report_to_authority", "authority_reason", "authority_reported_on"),
        ("inform_people", "people_reason", "people_informed_on"),
    ):
        choice = values.get(decision, Decision.UNDECIDED)
        if choice not in Decision.values:
            errors[decision] = _("Unknown decision.")
        elif choice != Decision.UNDECIDED and not str(values.get(reason, "")).strip():
            errors[reason] = _("Write down why.")
        if values.get(moment) and choice != Decision.REPORT:
            errors[moment] = _("A date of reporting only goes with the decision to report.")
    if (
        values.get("report_to_authority", Decision.UNDECIDED) != Decision.UNDECIDED
        or values.get("inform_people", Decision.UNDECIDED) != Decision.UNDECIDED
    ) and not values.get("decided_on"):
        errors["decided_on"] = _("Say when the decision was made.")
    return errors


@transaction.atomic
def record_breach(*, actor, organisation: Organisation, **values) -> Breach:
    """A breach entered directly in the register (a lost USB stick, a mis-sent e-mail)."""
    if actor is not None:
        require(actor, Action.PRIVACY_EDIT, organisation.pk)
    unknown = set(values) - set(BREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors = _check_breach(values)
    if errors:
        raise ValidationError(errors)
    breach = Breach.objects.create(organisation=organisation, recorded_by=actor, **values)
    audit.record(actor=actor, action="privacy.breach_recorded", organisation_id=organisation.pk, obj=breach)
    return breach


@transaction.atomic
def update_breach(*, actor, breach: Breach, **values) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    require(actor, Action.PRIVACY_EDIT, breach.organisation_id)
    unknown = set(values) - set(BREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    merged = {f: getattr(breach, f) for f in BREACH_FIELDS} | values
    errors = _check_breach(merged)
    if errors:
        raise ValidationError(errors)
    changed = [f for f in values if getattr(breach, f) != values[f]]
    for field in changed:
        setattr(breach, field, values[field])
    breach.save()
    audit.record(
        actor=actor,
        action="privacy.breach_changed",
        organisation_id=breach.organisation_id,
        obj=breach,
        changes={"fields": changed},
    )
    return breach


@transaction.atomic
def decide_on_incident(*, actor, incident, **values) -> Breach:
    """The DPO's decisions on an incident with personal data: the first time, the register
    entry is made and linked to the incident (once; the incident stays the incident desk's)."""
    if not can(actor, Action.PRIVACY_EDIT, incident.organisation_id):
        raise NotPermitted("not this organisation's register")
    if not incident.personal_data_involved or incident.is_draft:
        raise ValidationError(_("Only a sent incident involving personal data goes into the breach register."))
    existing = Breach.objects.filter(incident=incident).first()
    if existing is not None:
        return update_breach(actor=actor, breach=existing, **values)
    from weerbaar.privacy.selectors import incident_date

    defaults = {
        "title": incident.title[:200],
        "description": "",
        "discovered_on": incident_date(incident),
        "data_categories": ", ".join(str(c) for c in incident.personal_data_categories)[:500],
        "people_affected": incident.data_subjects_count,
    }
    try:
        with transaction.atomic():
            return _link_breach(actor, incident, defaults | values)
    except IntegrityError:
        # Someone else linked it at the same moment: record the decision on theirs.
        return update_breach(actor=actor, breach=Breach.objects.get(incident=incident), **values)


def _link_breach(actor, incident, values: dict) -> Breach:
    unknown = set(values) - set(BREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors = _check_breach(values)
    if errors:
        raise ValidationError(errors)
    breach = Breach.objects.create(
        organisation_id=incident.organisation_id, incident=incident, recorded_by=actor, **values
    )
    audit.record(actor=actor, action="privacy.breach_linked", organisation_id=incident.organisation_id, obj=breach)
    return breach


def breach_rows(rows) -> list[list]:
    """The breach register as spreadsheet rows (formula-safe)."""
    out = []
    for row in rows:
        b = row.breach
        incident = row.incident
        out.append(
            [
                catalogue_format.safe_cell(v)
                for v in [
                    row.title,
                    str(incident.public_id)[:8].upper() if incident else "",
                    row.discovered_on.isoformat() if row.discovered_on else "",
                    b.occurred_on.isoformat() if b and b.occurred_on else "",
                    b.data_categories if b else "",
                    b.people_affected if b and b.people_affected is not None else "",
                    str(Decision(b.report_to_authority).label) if b else str(Decision.UNDECIDED.label),
                    b.authority_reason if b else "",
                    b.authority_reported_on.isoformat() if b and b.authority_reported_on else "",
                    str(Decision(b.inform_people).label) if b else str(Decision.UNDECIDED.label),
                    b.people_reason if b else "",
                    b.people_informed_on.isoformat() if b and b.people_informed_on else "",
                    b.measures if b else "",
                    b.decided_on.isoformat() if b and b.decided_on else "",
                ]
            ]
        )
    return out


BREACH_HEADERS = (
    "title",
    "incident",
    "discovered_on",
    "occurred_on",
    "data_categories",
    "people_affected",
    "report_to_authority",
    "authority_reason",
    "authority_reported_on",
    "inform_people",
    "people_reason",
    "people_informed_on",
    "measures",
    "decided_on",
)


def breach_workbook(rows) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Breach register"))[:31]
    sheet.append(list(BREACH_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in breach_rows(rows):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- demo ----------------------------------------------------------------------------------------

DEMO_PRODUCTS = (
    # code, vendor, vendor country, name, edition, covenant, dpa, locations, transfers, trackers
    (
        "demo-leerlingadmin",
        "Administratie Onderwijs BV",
        "NL",
        "Leerlingadministratie",
        "PO/VO",
        "participant",
        "4.0",
        [("storage", "NL"), ("support", "NL")],
        [],
        [],
    ),
    (
        "demo-leerplatform",
        "Digitaal Leren BV",
        "NL",
        "Leerplatform",
        "Basis",
        "participant",
        "4.0",
        [("storage", "IE"), ("telemetry", "US")],
        [("US", "dpf")],
        [],
    ),
    (
        "demo-kantoorsuite",
        "Cloud Office Inc.",
        "US",
        "Kantoorsuite voor onderwijs",
        "Education",
        "none",
        "",
        [("storage", "NL"), ("support", "US"), ("telemetry", "US")],
        [("US", "dpf"), ("IN", "scc")],
        ["Diagnostics SDK"],
    ),
    ("demo-toetsapp", "Toetsen & Meten BV", "NL", "Toetsapp", "", "participant", "4.0", [("storage", "NL")], [], []),
    (
        "demo-ouderapp",
        "Schoolcontact BV",
        "NL",
        "Ouderapp",
        "Plus",
        "supporter",
        "",
        [("storage", "DE"), ("support", "PH")],
        [("PH", "scc")],
        ["Crash reporter"],
    ),
    (
        "demo-videobellen",
        "Meet Global Ltd.",
        "US",
        "Videobellen",
        "Education",
        "none",
        "",
        [("storage", "US")],
        [("US", "scc")],
        ["Analytics", "Ad network"],
    ),
    ("demo-rekenoefenen", "Rekenwerk BV", "NL", "Rekenoefenen", "", "participant", "4.0", [("storage", "NL")], [], []),
)

DEMO_RISKS = [
    {
        "code": "R1",
        "title": "Vendor uses pupil data for its own purposes",
        "likelihood": "medium",
        "impact": "high",
        "residual": "low",
    },
    {
        "code": "R2",
        "title": "Diagnostic data reach the United States",
        "likelihood": "high",
        "impact": "medium",
        "residual": "medium",
    },
    {
        "code": "R3",
        "title": "Data are kept longer than needed",
        "likelihood": "medium",
        "impact": "low",
        "residual": "low",
    },
]
DEMO_SCHOOL_MEASURES = [
    {"code": "M1", "kind": "settings", "title": "Set diagnostic data to the minimum"},
    {"code": "M2", "kind": "contract", "title": "Sign the model data-processing agreement"},
    {"code": "M3", "kind": "instruction", "title": "Tell staff not to put special categories of data in it"},
    {"code": "M4", "kind": "own_check", "title": "Check each year who has access"},
]


@transaction.atomic
def load_demo_privacy(*, actor, today: date | None = None) -> dict | None:
    """Fill the demo sector with a catalogue kept by SIVON, central DPIAs (one with two versions,
    one withdrawn), products in use at demo schools, local DPIAs in every state for the demo DPO's
    board, processing registers from the template and a few breaches. System data for the demo
    only; returns None, changing nothing, when the demo catalogue is already there."""
    from weerbaar.organisations.choices import MEASURED_KINDS, OrganisationKind
    from weerbaar.organisations.demo import DEMO_EMAIL_DOMAIN

    if actor is not None:
        raise NotPermitted("the demo privacy data is loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo privacy data is never loaded in production")
    if Product.objects.filter(code=DEMO_PRODUCTS[0][0]).exists():
        return None
    steward = Organisation.objects.filter(name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION).first()
    if steward is None:
        return None
    today = today or _today()
    products = []
    for code, vendor, country, name, edition, covenant, dpa, locations, transfers, trackers in DEMO_PRODUCTS:
        products.append(
            save_product(
                actor=None,
                steward=steward,
                code=code,
                vendor_name=vendor,
                vendor_country=country,
                name=name,
                edition=edition,
                covenant_status=covenant,
                covenant_since=date(2022, 9, 1) if covenant != CovenantStatus.NONE else None,
                dpa_version=dpa,
                dpa_annexes=["privacy_notice", "security"] if dpa else [],
                data_locations=[{"purpose": p, "country": c} for p, c in locations],
                transfers=[{"country": c, "mechanism": m} for c, m in transfers],
                trackers=trackers,
                ad_recipients=["Ad network"] if "Ad network" in trackers else [],
            )
        )
    by_code = {p.code: p for p in products}
    centrals = {}
    plans = [
        ("demo-leerlingadmin", "low", 400),
        ("demo-leerplatform", "medium", 300),
        ("demo-kantoorsuite", "medium", 500),
        ("demo-toetsapp", "low", 200),
        ("demo-videobellen", "high", 600),
    ]
    for code, advice, days in plans:
        central = create_central_draft(
            actor=None,
            product=by_code[code],
            assessed_on=today - timedelta(days=days),
            assessor="Privacy adviesbureau (demo)",
            advice=advice,
            advice_text={
                "low": "Can be used; apply the school measures.",
                "medium": "Can be used with care; apply the settings and instruct staff.",
                "high": "Do not use for pupils until the vendor has taken its measures.",
            }[advice],
            risks=DEMO_RISKS,
            vendor_measures=[
                {"title": "Process diagnostic data inside the EEA", "due_on": today - timedelta(days=30)},
                {"title": "Publish a list of sub-processors", "due_on": today + timedelta(days=90)},
            ],
            school_measures=DEMO_SCHOOL_MEASURES,
        )
        centrals[code] = publish_central(actor=None, central=central)
    withdrawn = centrals.pop("demo-videobellen")
    withdraw_central(actor=None, central=withdrawn)
    # Who uses what: the demo people's board and its schools, and a share of the other boards.
    demo_boards = list(
        Organisation.objects.filter(
            memberships__user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}", kind__in=MEASURED_KINDS
        ).distinct()
    )
    po_vo = Organisation.objects.filter(
        kind__in=MEASURED_KINDS, sector__code__in=["PO", "VO"], is_active=True
    ).order_by("pk")
    users = list(po_vo[:40])
    users += [b for b in demo_boards if b.sector_id and b.sector.code in ("PO", "VO") and b not in users]
    uses = []
    for index, organisation in enumerate(users):
        for offset, product in enumerate(products):
            if (index + offset) % 3 == 0 or organisation in demo_boards:
                uses.append(ProductUse(organisation=organisation, product=product, since=date(2023, 8, 1)))
    ProductUse.objects.bulk_create(uses, ignore_conflicts=True)
    states = {"draft": 0, "advised": 0, "accepted": 0, "review": 0}
    dpo_board = next((b for b in demo_boards if b.sector and b.sector.code == "PO"), None)
    if dpo_board is not None:
        dpo = Membership.objects.filter(organisation=dpo_board, role="dpo", is_active=True).first()
        board_member = Membership.objects.filter(organisation=dpo_board, role="board_member", is_active=True).first()
        who = dpo.user if dpo else None
        for code, target in (
            ("demo-leerlingadmin", "accepted"),
            ("demo-leerplatform", "advised"),
            ("demo-toetsapp", "draft"),
            ("demo-kantoorsuite", "review"),
        ):
            dpia = start_local_dpia(
                actor=None, organisation=dpo_board, title=str(by_code[code]), central=centrals[code]
            )
            dpia.created_by = who
            dpia.edpb_criteria = ["vulnerable", "large_scale"]
            dpia.legal_basis = LegalBasis.PUBLIC_TASK
            dpia.lawfulness = "Needed for teaching; the school chose the least intrusive settings."
            dpia.save()
            measures = list(dpia.measures.all())
            for m in measures[:2]:
                m.implemented, m.implemented_on = True, today - timedelta(days=60)
                m.save()
            if target in ("advised", "accepted", "review"):
                dpia.status = LocalStatus.ADVISED
                dpia.dpo_advice = "Responsible with the settings of the central DPIA."
                dpia.advised_on, dpia.advised_by = today - timedelta(days=45), who
            if target in ("accepted", "review"):
                dpia.status = LocalStatus.ACCEPTED
                dpia.accepted_on = today - timedelta(days=40)
                dpia.accepted_by = board_member.user if board_member else None
                dpia.residual_accepted = "R2 stays medium: diagnostic data are minimised."
                dpia.review_due = today + timedelta(days=325)
            dpia.save()
            states[target] += 1
        # A new version of the office suite's central DPIA: the accepted local DPIA needs review.
        newer = create_central_draft(
            actor=None,
            product=by_code["demo-kantoorsuite"],
            assessed_on=today - timedelta(days=10),
            assessor="Privacy adviesbureau (demo)",
            advice="high",
            advice_text="New findings on diagnostic data: review your settings.",
            risks=DEMO_RISKS,
            school_measures=DEMO_SCHOOL_MEASURES,
        )
        change = CentralChange.objects.create(central=newer, kind=ChangeKind.PUBLISHED)
        CentralDPIA.objects.filter(pk=centrals["demo-kantoorsuite"].pk).update(status=CentralStatus.SUPERSEDED)
        CentralDPIA.objects.filter(pk=newer.pk).update(status=CentralStatus.PUBLISHED, published_at=timezone.now())
        # Announced here rather than by the worker: the demo must be complete when the command ends.
        announce_change(change_id=change.pk)
    registers = 0
    for organisation in demo_boards + users[:5]:
        apply_template(actor=None, organisation=organisation)
        registers += 1
    breaches = 0
    for organisation in demo_boards[:2]:
        record_breach(
            actor=None,
            organisation=organisation,
            title="USB stick with pupil reports lost",
            discovered_on=today - timedelta(days=20),
            occurred_on=today - timedelta(days=21),
            report_to_authority=Decision.NO_REPORT,
            authority_reason="The stick was encrypted; no risk for the pupils.",
            decided_on=today - timedelta(days=19),
            measures="Staff reminded to use the encrypted drive.",
        )
        record_breach(
            actor=None,
            organisation=organisation,
            title="E-mail with grades sent to the wrong parent",
            discovered_on=today - timedelta(days=5),
            data_categories="name, grades",
            people_affected=1,
        )
        breaches += 2
    audit.record(actor=None, action="privacy.demo_loaded", organisation_id=steward.pk)
    return {
        "products": len(products),
        "centrals": len(plans) + 1,
        "uses": len(uses),
        "registers": registers,
        "breaches": breaches,
        **states,
    }
