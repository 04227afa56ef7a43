"""Writes of the advisories app: taking in CSAF documents, writing advisories, inventories,
matching, answers and notifications.

Matching reads every institution's inventory keys: it is one of the deliberate cross-tenant
readers (it writes exposures, it shows nothing). It finds its candidates by the indexed,
normalised keys and compares versions only on that candidate set, so an advisory is matched
against the whole sector in one query plus a bulk insert.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.advisories import csafdoc, matching
from weerbaar.advisories.choices import HIGH_RISK_CVSS, AnswerState, Source, Tlp
from weerbaar.advisories.models import (
    SHARED_TLPS,
    Advisory,
    AdvisoryProduct,
    Answer,
    Exposure,
    InventoryItem,
    Notification,
    Provider,
)
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Reach, Role, roles_allowing
from weerbaar.core.tenancy import NotPermitted, require
from weerbaar.organisations.models import Membership, Organisation, Sector

MAX_INVENTORY_FILE = 2 * 1024 * 1024
MAX_INVENTORY_ROWS = 5000
MAX_NOTE = 4000


class InputRefusedError(ValueError):
    """An inventory or advisory file that is refused as a whole; `errors` lists every reason."""

    def __init__(self, errors: Sequence[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


# --- advisories -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    advisory: Advisory
    created: bool
    updated: bool


def _may_publish(actor, owner: Organisation | None) -> None:
    # The command line and the provider task act without a person (actor None): they are run by
    # the operator. A person must hold the publish action for the owning organisation.
    if actor is None:
        return
    if owner is None:
        raise NotPermitted("an advisory taken in by a person needs an owning organisation")
    require(actor, Action.ADVISORY_PUBLISH, owner.pk)


def import_document(
    *,
    actor,
    raw: bytes,
    owner: Organisation | None,
    source: str,
    provider: Provider | None = None,
    default_tlp: str | None = None,
) -> ImportResult:
    """Check a CSAF 2.0 document and keep it, or raise CsafError naming the failed test and keep
    nothing. A newer version of an advisory already held replaces it; an older or equal one is
    left alone. Matching runs after the commit."""
    summary, tlp = _checked(raw, owner=owner, default_tlp=default_tlp)
    _may_publish(actor, owner)
    with transaction.atomic():
        existing = (
            Advisory.objects.select_for_update()
            .filter(publisher_namespace=summary.publisher_namespace, tracking_id=summary.tracking_id)
            .first()
        )
        if existing is not None and existing.current_release >= summary.current_release:
            return ImportResult(advisory=existing, created=False, updated=False)
        advisory = existing or Advisory(
            publisher_namespace=summary.publisher_namespace, tracking_id=summary.tracking_id
        )
        keeper = owner if existing is None else (existing.owner or owner)
        _fill(advisory, summary, raw=raw, tlp=tlp, actor=actor, owner=keeper, source=source, provider=provider)
        advisory.save()
        if existing is not None:
            # Exposures first, by their advisory index: a cascade from the products would look
            # them up by product, which has no index of its own.
            Exposure.objects.filter(advisory=advisory).delete()
            advisory.products.all().delete()
        AdvisoryProduct.objects.bulk_create(_products(advisory, summary), batch_size=1000)
        _record_import(advisory, actor=actor, owner=owner, source=source, updated=existing is not None)
        advisory_id = advisory.pk
        transaction.on_commit(lambda: _enqueue_match(advisory_id))
    return ImportResult(advisory=advisory, created=existing is None, updated=existing is not None)


def _fill(advisory: Advisory, summary, *, raw: bytes, tlp: str, actor, owner, source: str, provider) -> None:
    advisory.owner = owner
    advisory.created_by = advisory.created_by or actor
    advisory.source = source
    advisory.provider = provider
    for name in (
        "publisher_name",
        "version",
        "status",
        "category",
        "title",
        "lang",
        "initial_release",
        "current_release",
        "cves",
        "cvss_max",
        "severity",
        "kans",
        "schade",
        "summary",
        "remediations",
        "exploited",
    ):
        setattr(advisory, name, getattr(summary, name))
    advisory.title = advisory.title[:500]
    advisory.tlp = tlp
    advisory.raw = raw
    advisory.sha256 = csafdoc.sha256(raw)


def _products(advisory: Advisory, summary) -> list[AdvisoryProduct]:
    return [
        AdvisoryProduct(
            advisory=advisory,
            product_id=p.product_id[:200],
            name=p.name[:500],
            vendor=p.vendor[:200],
            product=p.product[:300],
            cpe=p.cpe[:500],
            purl=p.purl[:1000],
            purl_key=p.purl_key[:300],
            cpe_key=p.cpe_key[:300],
            name_key=p.name_key[:300],
            version_range=p.version_text[:500],
            status=p.status,
        )
        for p in summary.products
    ]


def _record_import(advisory: Advisory, *, actor, owner, source: str, updated: bool) -> None:
    audit.record(
        actor=actor,
        action="advisory.updated" if updated else "advisory.imported",
        organisation_id=owner.pk if owner else None,
        obj=advisory,
        object_label=advisory.tracking_id,
        changes={"version": advisory.version, "source": source, "sha256": advisory.sha256},
    )


def _checked(raw: bytes, *, owner, default_tlp: str | None):
    """The summary and label of a document that passes every check, else CsafError."""
    doc = csafdoc.load(raw)
    summary = csafdoc.summarise(doc)
    tlp = summary.tlp or default_tlp
    if tlp is None:
        raise csafdoc.CsafError("TLP", _("The document carries no TLP label; choose one."))
    if tlp not in (Tlp.CLEAR, Tlp.GREEN) and owner is None:
        raise csafdoc.CsafError("TLP", _("A TLP:AMBER or TLP:RED advisory needs an owning organisation."))
    return summary, tlp


def import_documents(
    *,
    actor,
    raws: Sequence[bytes],
    owner: Organisation | None,
    source: str,
    default_tlp: str | None = None,
) -> list[ImportResult | csafdoc.CsafError]:
    """import_document() for many documents at once, with the same checks on every one: a
    refused document gets its CsafError in the list and nothing of it is kept. The new advisories
    are written together (one transaction, bulk inserts, one audit entry each) instead of a
    transaction per document; a document that replaces one already held, or that comes twice,
    goes through import_document() on its own."""
    _may_publish(actor, owner)
    results: list[ImportResult | csafdoc.CsafError | None] = [None] * len(raws)
    checked = []
    for index, raw in enumerate(raws):
        try:
            summary, tlp = _checked(raw, owner=owner, default_tlp=default_tlp)
        except csafdoc.CsafError as exc:
            results[index] = exc
            continue
        checked.append((index, raw, summary, tlp))
    alone = []
    with transaction.atomic():
        held = set(
            Advisory.objects.select_for_update()
            .filter(tracking_id__in={summary.tracking_id for _i, _r, summary, _t in checked})
            .values_list("publisher_namespace", "tracking_id")
        )
        batch, seen = [], set()
        for index, raw, summary, tlp in checked:
            key = (summary.publisher_namespace, summary.tracking_id)
            if key in held or key in seen:
                alone.append(index)
                continue
            seen.add(key)
            advisory = Advisory(publisher_namespace=summary.publisher_namespace, tracking_id=summary.tracking_id)
            _fill(advisory, summary, raw=raw, tlp=tlp, actor=actor, owner=owner, source=source, provider=None)
            batch.append((index, advisory, summary))
        Advisory.objects.bulk_create([advisory for _i, advisory, _s in batch], batch_size=500)
        AdvisoryProduct.objects.bulk_create(
            [product for _i, advisory, summary in batch for product in _products(advisory, summary)], batch_size=2000
        )
        for index, advisory, _summary in batch:
            _record_import(advisory, actor=actor, owner=owner, source=source, updated=False)
            results[index] = ImportResult(advisory=advisory, created=True, updated=False)
        advisory_ids = [advisory.pk for _i, advisory, _s in batch]
        transaction.on_commit(lambda: _enqueue_matches(advisory_ids))
    for index in alone:
        results[index] = import_document(
            actor=actor, raw=raws[index], owner=owner, source=source, default_tlp=default_tlp
        )
    return results


def _enqueue_matches(advisory_ids: list[int]) -> None:
    # One transaction for the whole queue, not one per advisory.
    with transaction.atomic():
        for advisory_id in advisory_ids:
            _enqueue_match(advisory_id)


def _enqueue_match(advisory_id: int) -> None:
    from weerbaar.advisories.tasks import match_advisory_task

    match_advisory_task.enqueue(advisory_id)


def write_advisory(
    *,
    actor,
    owner: Organisation,
    title: str,
    tlp: str,
    summary: str,
    cve: str = "",
    cvss_vector: str = "",
    kans: str = "",
    schade: str = "",
    remediation: str = "",
    products: list[dict],
) -> Advisory:
    """An advisory a CERT writes on the platform, kept as the CSAF 2.0 document that `check`
    accepts (so the export is valid CSAF)."""
    require(actor, Action.ADVISORY_PUBLISH, owner.pk)
    if not products:
        raise InputRefusedError([_("Name at least one affected product.")])
    now = timezone.now().replace(microsecond=0)
    count = Advisory.objects.filter(owner=owner, source=Source.WRITTEN, initial_release__year=now.year).count()
    tracking_id = f"WEERBAAR-{str(owner.public_id)[:8].upper()}-{now.year}-{count + 1:04d}"
    cvss = csafdoc.cvss_object(cvss_vector) if cvss_vector.strip() else None
    doc = csafdoc.build(
        publisher_name=owner.name,
        publisher_namespace=settings.SITE_URL,
        tracking_id=tracking_id,
        title=title,
        tlp=tlp,
        released=now,
        summary=summary,
        cve=cve,
        cvss=cvss,
        kans=kans,
        schade=schade,
        products=products,
        remediation=remediation,
    )
    raw = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return import_document(actor=actor, raw=raw, owner=owner, source=Source.WRITTEN).advisory


# --- matching -------------------------------------------------------------------------------------


def _affected_products(products: Iterable[AdvisoryProduct]) -> list[matching.AffectedProduct]:
    return [
        matching.AffectedProduct(
            ref=p.pk,
            purl_key=p.purl_key,
            cpe_key=p.cpe_key,
            name_key=p.name_key,
            versions=matching.parse_range(p.version_range),
        )
        for p in products
    ]


def _high_risk(advisory: Advisory, tier: int) -> bool:
    sure = tier != matching.Tier.VERSION_NOT_STATED
    severe = advisory.exploited or (advisory.cvss_max is not None and advisory.cvss_max >= Decimal(str(HIGH_RISK_CVSS)))
    return sure and severe


def match_advisory(advisory: Advisory) -> int:
    """Compute the exposures of one advisory across every inventory; returns how many there are.
    Exposures that stay keep the moment they were first found (the CERT's view over time).

    The version ranges are checked in the database on the items' sort keys and the exposures
    written set-based; only versions or ranges without a sort key are compared in Python, with
    the same rules, so the result is the one match_advisory_in_python() gives."""
    products = list(advisory.products.all())
    affected = _affected_products(products)
    if any(p.versions.stated and p.versions.sort_bounds is None for p in affected):
        return match_advisory_in_python(advisory)
    selects, params = _candidate_selects(affected)
    if not selects:
        return _store_exposures(advisory, {}, {}, Q(advisory=advisory))
    now = timezone.now()
    found_table = "advisories_match_found"
    exposure_table = Exposure._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The candidate query is a union of a SELECT per product and key, costed high enough
            # for PostgreSQL to compile it to machine code first, which takes far longer (seconds
            # for 50 products) than running it on the index (a tenth of a second).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {found_table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {found_table} (item_id bigint PRIMARY KEY, organisation_id bigint NOT NULL,"
            " product_id bigint NOT NULL, tier smallint NOT NULL)"
        )
        # The strongest match per item, ties to the first product in the order match() walks
        # them: key kind (PURL, CPE, name), then the advisory's product order.
        union = " UNION ALL ".join(selects)
        cursor.execute(
            f"INSERT INTO {found_table} (item_id, organisation_id, product_id, tier) "  # noqa: S608 (table names from the models; values are parameters)
            "SELECT item_id, organisation_id, product_id, tier FROM ("
            "SELECT item_id, organisation_id, product_id, tier, ROW_NUMBER() OVER "
            f"(PARTITION BY item_id ORDER BY tier, pass_no, ordinal) AS rank FROM ({union}) candidates"
            ") ranked WHERE rank = 1",
            params,
        )
        total = cursor.rowcount
        rest = _match_unkeyed(affected)
        if rest:
            cursor.executemany(
                f"INSERT INTO {found_table} (item_id, organisation_id, product_id, tier) VALUES (%s, %s, %s, %s)",  # noqa: S608
                rest,
            )
        cursor.execute(
            f"DELETE FROM {exposure_table} WHERE advisory_id = %s AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {found_table} f WHERE f.item_id = {exposure_table}.item_id)",
            [advisory.pk],
        )
        cursor.execute(
            f"UPDATE {exposure_table} SET tier = f.tier, product_id = f.product_id FROM {found_table} f "  # noqa: S608
            f"WHERE {exposure_table}.advisory_id = %s AND {exposure_table}.item_id = f.item_id "
            f"AND {exposure_table}.tier <> f.tier",
            [advisory.pk],
        )
        cursor.execute(
            f"INSERT INTO {exposure_table} (advisory_id, organisation_id, item_id, product_id, tier, found_at) "  # noqa: S608
            f"SELECT %s, f.organisation_id, f.item_id, f.product_id, f.tier, %s FROM {found_table} f "
            f"WHERE NOT EXISTS (SELECT 1 FROM {exposure_table} e WHERE e.advisory_id = %s AND e.item_id = f.item_id)",
            [advisory.pk, connection.ops.adapt_datetimefield_value(now), advisory.pk],
        )
        new = cursor.rowcount
        total += len(rest)
        cursor.execute(f"DROP TABLE {found_table}")
        if new and _high_risk(advisory, matching.Tier.NAME):
            _notify(advisory, now)
    return total


_KEY_PASSES = ((matching.Tier.PURL, "purl_key"), (matching.Tier.CPE, "cpe_key"), (matching.Tier.NAME, "name_key"))


def _range_condition(bounds: tuple, column: str) -> tuple[str, list]:
    """SQL for VersionRange.contains() on a sort-key column, from VersionRange.sort_bounds."""
    excluded, exact_keys, intervals = bounds
    params: list = []
    alternatives = []
    if exact_keys:
        alternatives.append(f"{column} IN ({', '.join(['%s'] * len(exact_keys))})")
        params.extend(exact_keys)
    for lower, upper in intervals:
        parts = []
        for bound, inclusive_op, strict_op in ((lower, ">=", ">"), (upper, "<=", "<")):
            if bound is not None:
                parts.append(f"{column} {inclusive_op if bound[0] else strict_op} %s")
                params.append(bound[1])
        alternatives.append("(" + " AND ".join(parts or ["1 = 1"]) + ")")
    condition = "(" + (" OR ".join(alternatives) or "1 = 0") + ")"
    if excluded:
        condition = f"({column} NOT IN ({', '.join(['%s'] * len(excluded))}) AND {condition})"
        params = [*excluded, *params]
    return condition, params


def _candidate_selects(affected: list[matching.AffectedProduct]) -> tuple[list[str], list]:
    """One SELECT per product and key it can be found by, giving (item, organisation, product,
    tier, pass, order) for each item with a sort key that it matches; the tiers as match_item()."""
    table = InventoryItem._meta.db_table
    # Keys compare byte by byte; say so on PostgreSQL whatever the database's collation is.
    column = 'i.version_sort COLLATE "C"' if connection.vendor == "postgresql" else "i.version_sort"
    selects, params = [], []
    for pass_no, (tier, field_name) in enumerate(_KEY_PASSES):
        for ordinal, product in enumerate(affected):
            key = getattr(product, field_name)
            if not key:
                continue
            head = f"SELECT i.id AS item_id, i.organisation_id AS organisation_id, {int(product.ref)} AS product_id, "
            tail = f", {pass_no} AS pass_no, {ordinal} AS ordinal FROM {table} i WHERE i.{field_name} = %s"
            if not product.versions.stated:
                not_stated = int(matching.Tier.VERSION_NOT_STATED)
                selects.append(f"{head}{not_stated} AS tier{tail} AND i.version_sort IS NOT NULL")
                params.append(key)
                continue
            condition, range_params = _range_condition(product.versions.sort_bounds, column)
            selects.append(
                f"{head}CASE WHEN i.version_sort = '' THEN {int(matching.Tier.VERSION_NOT_STATED)} "
                f"ELSE {int(tier)} END AS tier{tail} AND (i.version_sort = '' OR {condition})"
            )
            params.extend([key, *range_params])
    return selects, params


def _candidate_filter(affected: list[matching.AffectedProduct]) -> Q:
    condition = Q(pk__in=[])
    for _tier, field_name in _KEY_PASSES:
        keys = {getattr(p, field_name) for p in affected if getattr(p, field_name)}
        if keys:
            condition |= Q(**{f"{field_name}__in": keys})
    return condition


def _match_unkeyed(affected: list[matching.AffectedProduct]) -> list[tuple]:
    """(item, organisation, product, tier) for the candidates whose version has no sort key,
    compared in Python."""
    candidates = (
        InventoryItem.objects.filter(_candidate_filter(affected), version_sort__isnull=True)
        .order_by()
        .values_list("pk", "organisation_id", "purl_key", "cpe_key", "name_key", "version")
    )
    owners, items = {}, []
    for pk, org_id, purl_key, cpe_key, name_key, version in candidates:
        owners[pk] = org_id
        items.append(matching.Item(ref=pk, purl_key=purl_key, cpe_key=cpe_key, name_key=name_key, version=version))
    return [(m.item, owners[m.item], m.product, int(m.tier)) for m in matching.match(affected, items)]


def match_advisory_in_python(advisory: Advisory) -> int:
    """match_advisory() with every version compared in Python: for ranges whose bounds have no
    sort key, and as the reference the database matching is tested against."""
    affected = _affected_products(advisory.products.all())
    candidates = (
        InventoryItem.objects.filter(_candidate_filter(affected))
        .order_by()
        .values_list("pk", "organisation_id", "purl_key", "cpe_key", "name_key", "version")
    )
    owners: dict[int, int] = {}
    items = []
    for pk, org_id, purl_key, cpe_key, name_key, version in candidates:
        owners[pk] = org_id
        items.append(matching.Item(ref=pk, purl_key=purl_key, cpe_key=cpe_key, name_key=name_key, version=version))
    found = {m.item: m for m in matching.match(affected, items)}
    return _store_exposures(advisory, found, owners, Q(advisory=advisory))


def _store_exposures(advisory: Advisory, found: dict, owners: dict[int, int], scope: Q) -> int:
    now = timezone.now()
    with transaction.atomic():
        existing = {
            item_id: (pk, tier)
            for pk, item_id, tier in Exposure.objects.filter(scope, advisory=advisory)
            .order_by()
            .values_list("pk", "item_id", "tier")
        }
        gone = [pk for item_id, (pk, _tier) in existing.items() if item_id not in found]
        if gone:
            Exposure.objects.filter(pk__in=gone).delete()
        new = []
        for item_id, result in found.items():
            if item_id in existing:
                pk, tier = existing[item_id]
                if tier != result.tier:
                    Exposure.objects.filter(pk=pk).update(tier=result.tier, product_id=result.product)
                continue
            new.append((advisory.pk, owners[item_id], item_id, result.product, int(result.tier), now))
        _insert_exposures(new)
        if new and _high_risk(advisory, matching.Tier.NAME):
            _notify(advisory, now)
    return len(found)


def _insert_exposures(rows: list[tuple]) -> None:
    """Write new exposures (advisory, organisation, item, product, tier, found_at): COPY on
    PostgreSQL (a sector-wide advisory can add tens of thousands at once, and building INSERT
    statements for them costs more than the match itself), plain bulk inserts elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Exposure.objects.bulk_create(
            [
                Exposure(advisory_id=a, organisation_id=o, item_id=i, product_id=p, tier=t, found_at=f)
                for a, o, i, p, t, f in rows
            ],
            batch_size=2000,
        )
        return
    table = Exposure._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        with raw.copy(
            f"COPY {table} (advisory_id, organisation_id, item_id, product_id, tier, found_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


def match_organisation(organisation: Organisation) -> int:
    """Recompute the exposures of one institution against every advisory (its inventory changed)."""
    items = list(
        InventoryItem.objects.filter(organisation=organisation).values_list(
            "pk", "purl_key", "cpe_key", "name_key", "version"
        )
    )
    purls = {i[1] for i in items if i[1]}
    cpes = {i[2] for i in items if i[2]}
    names = {i[3] for i in items if i[3]}
    condition = Q(pk__in=[])
    if purls:
        condition |= Q(purl_key__in=purls)
    if cpes:
        condition |= Q(cpe_key__in=cpes)
    if names:
        condition |= Q(name_key__in=names)
    by_advisory: dict[int, list[AdvisoryProduct]] = {}
    for product in AdvisoryProduct.objects.filter(condition):
        by_advisory.setdefault(product.advisory_id, []).append(product)
    owners = {pk: organisation.pk for pk, *_rest in items}
    candidates = [matching.Item(ref=pk, purl_key=p, cpe_key=c, name_key=n, version=v) for pk, p, c, n, v in items]
    total = 0
    touched = set(by_advisory) | set(
        Exposure.objects.filter(organisation=organisation).values_list("advisory_id", flat=True)
    )
    for advisory in Advisory.objects.filter(pk__in=touched):
        found = {m.item: m for m in matching.match(_affected_products(by_advisory.get(advisory.pk, [])), candidates)}
        total += _store_exposures(advisory, found, owners, Q(organisation=organisation))
    return total


# --- notifications --------------------------------------------------------------------------------


def _notify(advisory: Advisory, now) -> None:
    """One in-app notification per IBP officer of each organisation with a sure match found just
    now, only for officers who may read the advisory; the e-mail goes out through the task worker
    after the commit."""
    sure = Exposure.objects.filter(advisory=advisory, found_at=now, tier__lt=matching.Tier.VERSION_NOT_STATED)
    # Who may read it is decided for every officer in the same query: a sector-wide match reaches
    # thousands of them, and a check per person would take seconds.
    officers = (
        Membership.objects.filter(
            _readers(advisory),
            organisation_id__in=sure.values("organisation_id"),
            role=Role.IBP_OFFICER,
            is_active=True,
            user__is_active=True,
        )
        .order_by()
        .values("user_id", "organisation_id")
    )
    try:
        officers_sql, params = officers.query.sql_with_params()
    except EmptyResultSet:
        return
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        # Written from the query in the database, as the exposures are, not through Python objects.
        # The outer WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
        cursor.execute(
            f"INSERT INTO {table} (user_id, organisation_id, advisory_id, created_at) "  # noqa: S608 (the table name from the model, the query from the ORM)
            f"SELECT officer.user_id, officer.organisation_id, %s, %s FROM ({officers_sql}) officer "
            "WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [advisory.pk, connection.ops.adapt_datetimefield_value(now), *params],
        )
        written = cursor.rowcount
    if written:
        transaction.on_commit(_enqueue_mail)


def _readers(advisory: Advisory) -> Q:
    """A condition on memberships: held by someone who may read the advisory. The rules of
    Advisory.objects.visible_to() for one advisory and everyone at once (a person is signed in
    and active; the membership's own state is the caller's to check)."""
    held = Membership.objects.filter(is_active=True, organisation__is_active=True)
    if advisory.tlp in SHARED_TLPS:
        return Q(user__in=held.values("user_id"))
    if advisory.tlp == Tlp.RED:
        named = Q(user__in=advisory.recipients.values("pk"))
        return named | Q(user_id=advisory.created_by_id) if advisory.created_by_id else named
    if advisory.tlp not in (Tlp.AMBER, Tlp.AMBER_STRICT) or advisory.owner_id is None:
        return Q(pk__in=[])
    own = Q(user__in=held.filter(organisation_id=advisory.owner_id).values("user_id"))
    if advisory.tlp == Tlp.AMBER_STRICT:
        return own
    # AMBER also reaches whoever may read advisories for an organisation in a sector the owner
    # serves: a membership allowing ADVISORY_VIEW whose reach (core.permissions, as the
    # organisations' scoping resolves it) takes in such an organisation.
    targets = Organisation.objects.filter(
        is_active=True, sector__in=Sector.objects.filter(serving_organisations=advisory.owner_id).values("pk")
    )
    reaching = Q(pk__in=[])
    for role, reach in roles_allowing(Action.ADVISORY_VIEW).items():
        into = Q(organisation__in=targets.values("pk"))
        if reach == Reach.TREE:
            into |= Q(organisation__in=targets.values("parent_id"))
        elif reach == Reach.CONSTITUENCY:
            into |= Q(organisation__served_sectors__in=targets.values("sector_id"))
        elif reach == Reach.MEMBERS:
            into |= Q(
                organisation__in=Organisation.council_members.through.objects.filter(
                    to_organisation_id__in=targets.values("pk")
                ).values("from_organisation_id")
            )
        reaching |= Q(role=role) & into
    return own | Q(user__in=held.filter(reaching).values("user_id"))


def _enqueue_mail() -> None:
    from weerbaar.advisories.tasks import send_notifications_task

    send_notifications_task.enqueue()


def send_notification_mail() -> int:
    """E-mail every notification not yet mailed, once. The row is marked before the mail is sent
    within the same transaction, so two workers never send the same message twice. TLP:RED
    advisories are never described in mail; no advisory is: the mail says where to read it."""
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(emailed_at__isnull=True)
            .select_related("user", "advisory")[:500]
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
        messages = []
        for notification in pending:
            subject = _("Weerbaar: an advisory matches your software")
            body = "\n\n".join(
                [
                    _("An advisory with a high risk matches software in your inventory."),
                    f"{settings.SITE_URL}/advisories/{notification.advisory.public_id}/",
                    _("Sign in to read the details."),
                ]
            )
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email]))
            sent += 1
        send_mass_mail(messages, fail_silently=False)
    return sent


def mark_notifications_read(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- inventories ----------------------------------------------------------------------------------


def _clean_item(vendor: str, product: str, version: str, cpe: str, purl: str) -> tuple[dict, list[str]]:
    errors = []
    vendor, product, version, cpe, purl = (
        (vendor or "").strip(),
        (product or "").strip(),
        (version or "").strip(),
        (cpe or "").strip(),
        (purl or "").strip(),
    )
    purl_key, purl_version = matching.parse_purl(purl)
    cpe_key, cpe_version = matching.parse_cpe(cpe)
    if purl and not purl_key:
        errors.append(_("The package URL is not valid (it starts with pkg:type/name)."))
    if cpe and not cpe_key:
        errors.append(_("The CPE is not valid or names no vendor and product."))
    if not product and purl_key:
        product = purl_key.rsplit("/", 1)[-1]
    if not vendor and cpe_key:
        vendor = cpe_key.split(":")[0]
    if not product:
        errors.append(_("Name the product."))
    for label, value, limit in ((_("vendor"), vendor, 200), (_("product"), product, 300), (_("version"), version, 100)):
        if len(value) > limit:
            errors.append(_("The %(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit})
    version = version or purl_version or cpe_version
    fields = {
        "vendor": vendor[:200],
        "product": product[:300],
        "version": version[:100],
        "cpe": cpe[:500],
        "purl": purl[:1000],
        "purl_key": purl_key[:300],
        "cpe_key": cpe_key[:300],
        "name_key": matching.name_key(vendor, product)[:300],
        "version_sort": matching.sort_key(version[:100]),
    }
    return fields, errors


def _after_inventory_change(organisation_id: int) -> None:
    from weerbaar.advisories.tasks import match_organisation_task

    transaction.on_commit(lambda: match_organisation_task.enqueue(organisation_id))


def add_item(
    *, actor, organisation: Organisation, vendor: str, product: str, version: str = "", cpe: str = "", purl: str = ""
) -> InventoryItem:
    require(actor, Action.ADVISORY_ACKNOWLEDGE, organisation.pk)
    fields, errors = _clean_item(vendor, product, version, cpe, purl)
    if errors:
        raise InputRefusedError(errors)
    with transaction.atomic():
        item = InventoryItem.objects.create(organisation=organisation, **fields)
        audit.record(actor=actor, action="inventory.item_added", organisation_id=organisation.pk, obj=item)
        _after_inventory_change(organisation.pk)
    return item


def update_item(*, actor, item: InventoryItem, **values) -> InventoryItem:
    require(actor, Action.ADVISORY_ACKNOWLEDGE, item.organisation_id)
    merged = {k: values.get(k, getattr(item, k)) for k in ("vendor", "product", "version", "cpe", "purl")}
    fields, errors = _clean_item(**merged)
    if errors:
        raise InputRefusedError(errors)
    with transaction.atomic():
        changes = audit.field_changes(item, list(merged), merged)
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        audit.record(
            actor=actor,
            action="inventory.item_changed",
            organisation_id=item.organisation_id,
            obj=item,
            changes=changes,
        )
        _after_inventory_change(item.organisation_id)
    return item


def remove_item(*, actor, item: InventoryItem) -> None:
    require(actor, Action.ADVISORY_ACKNOWLEDGE, item.organisation_id)
    with transaction.atomic():
        audit.record(actor=actor, action="inventory.item_removed", organisation_id=item.organisation_id, obj=item)
        item.delete()
        _after_inventory_change(item.organisation_id)


def _read_upload(data: bytes) -> str:
    if len(data) > MAX_INVENTORY_FILE:
        raise InputRefusedError([_("The file is larger than 2 MB.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRefusedError([_("The file is not UTF-8 text.")]) from exc


def _replace_inventory(*, actor, organisation: Organisation, rows: list[dict], kind: str) -> int:
    errors = []
    cleaned = []
    for number, row in rows:
        fields, row_errors = _clean_item(**row)
        errors.extend(_("Line %(line)s: %(error)s") % {"line": number, "error": e} for e in row_errors)
        cleaned.append(fields)
    if not cleaned and not errors:
        errors.append(_("The file lists no software."))
    if errors:
        raise InputRefusedError(errors[:50])
    with transaction.atomic():
        # Replacing, not adding: the file is the institution's list as it is now.
        InventoryItem.objects.filter(organisation=organisation).delete()
        InventoryItem.objects.bulk_create(
            [InventoryItem(organisation=organisation, **fields) for fields in cleaned], batch_size=1000
        )
        audit.record(
            actor=actor,
            action=f"inventory.imported_{kind}",
            organisation_id=organisation.pk,
            obj=organisation,
            changes={"items": len(cleaned)},
        )
        _after_inventory_change(organisation.pk)
    return len(cleaned)


def import_inventory_csv(*, actor, organisation: Organisation, data: bytes) -> int:
    """Replace the inventory with a CSV file: a header row with vendor, product, version, cpe and
    purl (version, cpe and purl may be left out). All or nothing."""
    require(actor, Action.ADVISORY_ACKNOWLEDGE, organisation.pk)
    text = _read_upload(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "product" not in header:
        raise InputRefusedError(
            [_("The first line must name the columns; at least 'product' (and 'vendor', 'version').")]
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_INVENTORY_ROWS:
            raise InputRefusedError([_("The file has more than %(max)s rows.") % {"max": MAX_INVENTORY_ROWS}])
        values = {(k or "").strip().lower(): (v or "") for k, v in row.items() if not isinstance(v, list)}
        if not any(values.values()):
            continue
        rows.append((number, {k: values.get(k, "") for k in ("vendor", "product", "version", "cpe", "purl")}))
    return _replace_inventory(actor=actor, organisation=organisation, rows=rows, kind="csv")


def import_inventory_cyclonedx(*, actor, organisation: Organisation, data: bytes) -> int:
    """Replace the inventory with the components of a CycloneDX SBOM (JSON, any 1.x version)."""
    require(actor, Action.ADVISORY_ACKNOWLEDGE, organisation.pk)
    text = _read_upload(data)
    try:
        bom = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputRefusedError([_("The file is not JSON.")]) from exc
    if not isinstance(bom, dict) or bom.get("bomFormat") != "CycloneDX":
        raise InputRefusedError([_("The file is not a CycloneDX SBOM (bomFormat is not CycloneDX).")])
    components: list[dict] = []
    stack = list(bom.get("components") or [])
    while stack:
        component = stack.pop(0)
        if not isinstance(component, dict):
            continue
        components.append(component)
        stack.extend(component.get("components") or [])
        if len(components) > MAX_INVENTORY_ROWS:
            raise InputRefusedError([_("The file has more than %(max)s rows.") % {"max": MAX_INVENTORY_ROWS}])
    rows = []
    for number, component in enumerate(components, start=1):
        supplier = component.get("supplier") or {}
        vendor = component.get("publisher") or (supplier.get("name") if isinstance(supplier, dict) else "") or ""
        vendor = vendor or component.get("group") or ""
        rows.append(
            (
                number,
                {
                    "vendor": str(vendor),
                    "product": str(component.get("name") or ""),
                    "version": str(component.get("version") or ""),
                    "cpe": str(component.get("cpe") or ""),
                    "purl": str(component.get("purl") or ""),
                },
            )
        )
    return _replace_inventory(actor=actor, organisation=organisation, rows=rows, kind="cyclonedx")


# --- answers --------------------------------------------------------------------------------------


def answer(
    *, actor, advisory: Advisory, organisation: Organisation, state: str, patched_on: date | None = None, note: str = ""
) -> Answer:
    """An institution's answer to an advisory: not affected, taking measures, or patched (with the
    date)."""
    require(actor, Action.ADVISORY_ACKNOWLEDGE, organisation.pk)
    if not Advisory.objects.visible_to(actor).filter(pk=advisory.pk).exists():
        raise NotPermitted("advisory not readable")
    errors = []
    if state not in AnswerState.values:
        errors.append(_("Choose an answer."))
    if state == AnswerState.PATCHED and patched_on is None:
        errors.append(_("Give the date the update was installed."))
    if patched_on is not None and patched_on > timezone.localdate():
        errors.append(_("The date of the update lies in the future."))
    if len(note) > MAX_NOTE:
        errors.append(_("The note is longer than %(max)s characters.") % {"max": MAX_NOTE})
    if errors:
        raise InputRefusedError(errors)
    if state != AnswerState.PATCHED:
        patched_on = None
    now = timezone.now()
    with transaction.atomic():
        record, created = Answer.objects.select_for_update().get_or_create(
            advisory=advisory,
            organisation=organisation,
            defaults={
                "state": state,
                "patched_on": patched_on,
                "note": note,
                "answered_by": actor,
                "first_answered_at": now,
            },
        )
        changes = {}
        if not created:
            changes = audit.field_changes(record, ["state", "patched_on"], {"state": state, "patched_on": patched_on})
            record.state, record.patched_on, record.note, record.answered_by = state, patched_on, note, actor
            record.save()
        audit.record(
            actor=actor,
            action="advisory.answered",
            organisation_id=organisation.pk,
            obj=record,
            object_label=advisory.tracking_id,
            changes=changes or {"state": state},
        )
    return record


# --- providers ------------------------------------------------------------------------------------


def add_provider(*, actor, owner: Organisation, name: str, metadata_url: str) -> Provider:
    """A CSAF provider whose public advisories the owning CERT wants taken in on a schedule."""
    if actor is not None:
        require(actor, Action.ADVISORY_PUBLISH, owner.pk)
    metadata_url = metadata_url.strip()
    if not metadata_url.startswith("https://") or not metadata_url.endswith("provider-metadata.json"):
        raise InputRefusedError([_("Give the https address of the provider's provider-metadata.json.")])
    with transaction.atomic():
        provider, _created = Provider.objects.get_or_create(
            owner=owner, metadata_url=metadata_url, defaults={"name": name[:200] or metadata_url[:200]}
        )
        audit.record(actor=actor, action="advisory.provider_added", organisation_id=owner.pk, obj=provider)
    return provider


# --- indicators of compromise ---------------------------------------------------------------------


def add_indicators(
    *, actor, owner: Organisation, indicators: list, tlp: str, source: str, advisory: Advisory | None = None
) -> int:
    """Share indicators (iocs.Ioc) under `owner`; an indicator's own TLP label, when the file gave
    one, wins over `tlp`. Indicators already shared are left as they are. Returns how many are new."""
    from weerbaar.advisories.models import SharedIndicator
    from weerbaar.incidents.choices import IndicatorType

    if actor is not None:
        require(actor, Action.ADVISORY_PUBLISH, owner.pk)
    if tlp not in Tlp.values:
        raise InputRefusedError([_("Choose a TLP label.")])
    errors = [
        _("Line %(line)s: unknown kind of indicator.") % {"line": n}
        for n, i in enumerate(indicators, start=1)
        if i.type not in IndicatorType.values or not i.value.strip()
    ]
    if errors:
        raise InputRefusedError(errors[:50])
    rows = [
        SharedIndicator(
            owner=owner,
            advisory=advisory,
            type=i.type,
            value=i.value.strip(),
            description=i.description,
            tlp=i.tlp or tlp,
            source=source,
        )
        for i in indicators
    ]
    with transaction.atomic():
        before = SharedIndicator.objects.filter(owner=owner).count()
        SharedIndicator.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        added = SharedIndicator.objects.filter(owner=owner).count() - before
        audit.record(
            actor=actor,
            action="advisory.indicators_shared",
            organisation_id=owner.pk,
            obj=owner,
            changes={"added": added, "source": source},
        )
    return added


def import_indicators(*, actor, owner: Organisation, raw: bytes, kind: str, tlp: str) -> tuple[int, int]:
    """Share the indicators of a STIX 2.1 bundle or a MISP event; (added, skipped). IocError for
    a file that cannot be read; nothing is stored then."""
    from weerbaar.advisories import iocs

    if kind == "stix":
        found, skipped = iocs.read_stix(raw)
    elif kind == "misp":
        found, skipped, event_tlp = iocs.read_misp(raw)
        tlp = event_tlp or tlp
    else:
        raise iocs.IocError("unknown kind of file")
    if not found:
        raise iocs.IocError("the file holds no indicator the platform can share")
    return add_indicators(actor=actor, owner=owner, indicators=found, tlp=tlp, source=kind), skipped
