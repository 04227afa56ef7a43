"""Reading, checking and writing CSAF 2.0 documents. Pure: no database.

Validation is done by the `csaf` package of the OASIS CSAF TC's editor, pinned to its 2.0
validator: the official JSON schema (bundled, no network) and the mandatory tests 6.1.x. A
document that fails is refused with the number and title of the first failed test, such as
"6.1.1 Missing Definition of Product ID". The package reports a CVSS object that disagrees with
the FIRST schema as a schema error; that is test 6.1.8, so it is named so.

What the platform keeps of a valid document is read out by `summarise`: ids, title, versions,
CVEs, CVSS, NCSC's "Kans" and "Schade" notes, affected products with their CPE, PURL and version
range, remediations and the TLP label.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from csaf.csaf.v20 import validate as _validate

from weerbaar.advisories.matching import ANY, VersionRange, exact, name_key, parse_cpe, parse_purl, parse_range

# A CSAF document of a large vendor runs to a few megabytes; anything far beyond is refused
# before it is parsed, as is nesting deep enough to exhaust the parser.
MAX_BYTES = 15 * 1024 * 1024
MAX_DEPTH = 64
MAX_PRODUCTS = 20_000

# CSAF 2.0 carries TLP 1.0 labels; WHITE is CLEAR (oasis-tcs/csaf#591). A note
# "TLP v2.0: TLP:AMBER+STRICT" in distribution.text gives the label CSAF 2.0 cannot hold.
_TLP_FROM_CSAF = {"WHITE": "clear", "GREEN": "green", "AMBER": "amber", "RED": "red"}
_TLP_TO_CSAF = {"clear": "WHITE", "green": "GREEN", "amber": "AMBER", "amber+strict": "AMBER", "red": "RED"}
_TLP2_NOTE = re.compile(r"TLP v2\.0:\s*TLP:(CLEAR|GREEN|AMBER\+STRICT|AMBER|RED)", re.IGNORECASE)

AFFECTED_STATUSES = ("known_affected", "first_affected", "last_affected")


class CsafError(ValueError):
    """A document that cannot be accepted. `test` names the first failed test (or the check that
    refused the file), `tests` every failed one."""

    def __init__(self, test: str, message: str = "", tests: tuple[str, ...] = ()):
        super().__init__(f"{test}: {message}" if message else test)
        self.test = test
        self.detail = message
        self.tests = tests or (test,)


def _depth(value, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def parse(raw: bytes) -> dict:
    """The JSON object of a file, or CsafError for files too large, not JSON or nested too deep."""
    if len(raw) > MAX_BYTES:
        raise CsafError("size", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CsafError("json", f"not a JSON document ({exc.__class__.__name__})") from exc
    if not isinstance(doc, dict):
        raise CsafError("json", "the document is not a JSON object")
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise CsafError("json", "the document is nested too deeply")
    return doc


def check(doc: dict) -> None:
    """Raise CsafError naming the first failed test unless the document is valid CSAF 2.0: the
    official schema and every mandatory test."""
    version = (doc.get("document") or {}).get("csaf_version") if isinstance(doc.get("document"), dict) else None
    if version != "2.0":
        raise CsafError("schema", f"csaf_version must be 2.0, not {version!r}")
    report = _validate(doc, preset="mandatory")
    failed: list[tuple[str, str]] = []
    for result in report.results:
        if result.passed or result.skipped or result.group == "informative":
            continue
        errors = list(result.errors)
        first = errors[0] if errors else None
        detail = f"{first.message} (at {first.instance_path})" if first else ""
        if result.id == "schema":
            if first is not None and re.search(r"/scores/\d+/cvss_v[23]", first.instance_path):
                failed.append(("6.1.8 Invalid CVSS", detail))
            else:
                failed.append(("Schema (CSAF 2.0 JSON schema)", detail))
        else:
            failed.append((f"{result.id} {result.title}", detail))
    if failed:
        raise CsafError(failed[0][0], failed[0][1], tests=tuple(name for name, _ in failed))


def load(raw: bytes) -> dict:
    """Parse and check in one go: the document, ready to summarise."""
    doc = parse(raw)
    check(doc)
    return doc


def tlp_of(doc: dict) -> str | None:
    """The TLP 2.0 label of a document (lower case, as the platform stores it), or None when the
    document carries none."""
    distribution = doc.get("document", {}).get("distribution") or {}
    note = _TLP2_NOTE.search(distribution.get("text") or "")
    if note:
        return note.group(1).lower()
    label = (distribution.get("tlp") or {}).get("label")
    return _TLP_FROM_CSAF.get(label) if label else None


# --- summary --------------------------------------------------------------------------------------


@dataclass
class Product:
    product_id: str
    name: str
    vendor: str = ""
    product: str = ""
    cpe: str = ""
    purl: str = ""
    versions: VersionRange = ANY
    version_text: str = ""
    status: str = "known_affected"

    @property
    def purl_key(self) -> str:
        return parse_purl(self.purl)[0]

    @property
    def cpe_key(self) -> str:
        return parse_cpe(self.cpe)[0]

    @property
    def name_key(self) -> str:
        return name_key(self.vendor, self.product or self.name)


@dataclass
class Summary:
    publisher_name: str
    publisher_namespace: str
    tracking_id: str
    version: str
    status: str
    title: str
    category: str
    lang: str
    initial_release: datetime
    current_release: datetime
    tlp: str | None
    cves: list[str] = field(default_factory=list)
    cvss_max: Decimal | None = None
    severity: str = ""
    kans: str = ""
    schade: str = ""
    summary: str = ""
    remediations: list[dict] = field(default_factory=list)
    exploited: bool = False
    products: list[Product] = field(default_factory=list)


def _date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _walk_branches(branches, trail: dict, found: dict) -> None:
    for branch in branches or ():
        here = dict(trail)
        category, name = branch.get("category"), branch.get("name", "")
        if category in ("vendor", "product_name", "product_version", "product_version_range", "product_family"):
            here[category] = name
        product = branch.get("product")
        if product:
            found[product["product_id"]] = (product, here)
        _walk_branches(branch.get("branches"), here, found)


def _product(product_id: str, full: dict, trail: dict) -> Product:
    helper = full.get("product_identification_helper") or {}
    cpe, purl = helper.get("cpe", ""), helper.get("purl", "")
    vendor = trail.get("vendor", "")
    name = trail.get("product_name") or trail.get("product_family") or ""
    if "product_version" in trail:
        versions, text = exact(trail["product_version"]), trail["product_version"]
    elif "product_version_range" in trail:
        text = trail["product_version_range"]
        versions = parse_range(text)
    else:
        # The helper identifies the product in its entirety: its version, if any, is the one.
        text = parse_purl(purl)[1] or parse_cpe(cpe)[1]
        versions = exact(text) if text else ANY
    if not vendor and cpe:
        vendor = parse_cpe(cpe)[0].split(":")[0]
    return Product(
        product_id=product_id,
        name=full.get("name", product_id),
        vendor=vendor,
        product=name or full.get("name", ""),
        cpe=cpe,
        purl=purl,
        versions=versions,
        version_text=text,
    )


def products_of(doc: dict) -> dict[str, Product]:
    """Every product of the product tree by its id, with vendor, name and version range read
    from the branches it hangs in. A relationship ("component X installed on Y") is matched by
    its component, which is what an inventory lists."""
    tree = doc.get("product_tree") or {}
    found: dict[str, tuple[dict, dict]] = {}
    _walk_branches(tree.get("branches"), {}, found)
    for full in tree.get("full_product_names") or ():
        found.setdefault(full["product_id"], (full, {}))
    products = {pid: _product(pid, full, trail) for pid, (full, trail) in found.items()}
    for relation in tree.get("relationships") or ():
        full = relation.get("full_product_name") or {}
        component = products.get(relation.get("product_reference"))
        if full.get("product_id") and component is not None:
            products[full["product_id"]] = Product(
                product_id=full["product_id"],
                name=full.get("name", component.name),
                vendor=component.vendor,
                product=component.product,
                cpe=component.cpe,
                purl=component.purl,
                versions=component.versions,
                version_text=component.version_text,
            )
        if len(products) > MAX_PRODUCTS:
            raise CsafError("size", f"more than {MAX_PRODUCTS} products")
    return products


def _groups(doc: dict) -> dict[str, list[str]]:
    tree = doc.get("product_tree") or {}
    return {g["group_id"]: list(g.get("product_ids", ())) for g in tree.get("product_groups") or ()}


def _note(notes, title: str) -> str:
    for note in notes or ():
        if (note.get("title") or "").strip().lower() == title.lower():
            return (note.get("text") or "").strip()
    return ""


def summarise(doc: dict) -> Summary:
    """What the platform keeps of a valid CSAF 2.0 document."""
    document = doc["document"]
    tracking = document["tracking"]
    notes = list(document.get("notes") or ())
    vulnerabilities = doc.get("vulnerabilities") or []
    all_products = products_of(doc)
    groups = _groups(doc)
    cves, scores, remediations = [], [], []
    affected: dict[str, str] = {}
    kans, schade = _note(notes, "kans"), _note(notes, "schade")
    exploited = False
    for vulnerability in vulnerabilities:
        if vulnerability.get("cve") and vulnerability["cve"] not in cves:
            cves.append(vulnerability["cve"])
        kans = kans or _note(vulnerability.get("notes"), "kans")
        schade = schade or _note(vulnerability.get("notes"), "schade")
        for score in vulnerability.get("scores") or ():
            for key in ("cvss_v3", "cvss_v2"):
                if key in score and "baseScore" in score[key]:
                    scores.append((Decimal(str(score[key]["baseScore"])), score[key].get("baseSeverity", "")))
        status = vulnerability.get("product_status") or {}
        for category in AFFECTED_STATUSES:
            for pid in status.get(category) or ():
                affected.setdefault(pid, category)
        for remediation in vulnerability.get("remediations") or ():
            ids = list(remediation.get("product_ids") or ())
            for gid in remediation.get("group_ids") or ():
                ids.extend(groups.get(gid, ()))
            remediations.append(
                {
                    "category": remediation.get("category", ""),
                    "details": (remediation.get("details") or "")[:4000],
                    "url": remediation.get("url", ""),
                    "product_ids": ids[:200],
                }
            )
        for threat in vulnerability.get("threats") or ():
            if threat.get("category") == "exploit_status" and "exploit" in (threat.get("details") or "").lower():
                exploited = True
    products = []
    for pid, category in affected.items():
        product = all_products.get(pid)
        if product is None:
            continue
        if category == "first_affected" and product.versions.stated and product.versions.constraints[0][0] == "=":
            product.versions = VersionRange(constraints=((">=", product.versions.constraints[0][1]),))
        elif category == "last_affected" and product.versions.stated and product.versions.constraints[0][0] == "=":
            product.versions = VersionRange(constraints=(("<=", product.versions.constraints[0][1]),))
        product.status = category
        products.append(product)
    best = max(scores, default=None, key=lambda s: s[0])
    summary_text = _note(notes, "summary") or next(
        (n.get("text", "") for n in notes if n.get("category") in ("summary", "description")), ""
    )
    return Summary(
        publisher_name=document["publisher"]["name"],
        publisher_namespace=document["publisher"]["namespace"],
        tracking_id=tracking["id"],
        version=str(tracking["version"]),
        status=tracking["status"],
        title=document["title"],
        category=document["category"],
        lang=document.get("lang", ""),
        initial_release=_date(tracking["initial_release_date"]),
        current_release=_date(tracking["current_release_date"]),
        tlp=tlp_of(doc),
        cves=cves,
        cvss_max=best[0] if best else None,
        severity=(best[1] if best else "") or (document.get("aggregate_severity") or {}).get("text", ""),
        kans=kans[:200],
        schade=schade[:200],
        summary=summary_text[:8000],
        remediations=remediations[:500],
        exploited=exploited,
        products=products,
    )


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def file_name(tracking_id: str) -> str:
    """The file name CSAF prescribes for a document (spec 5.1)."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


def cvss_object(vector: str) -> dict:
    """The CSAF `cvss_v3` object of a CVSS 3.0/3.1 vector, with the score computed from it (test
    6.1.9 refuses a score that does not follow from the vector)."""
    from csaf import cvss30_from_vector, cvss31_from_vector

    vector = vector.strip()
    reader = cvss30_from_vector if vector.startswith("CVSS:3.0/") else cvss31_from_vector
    try:
        return reader(vector)
    except ValueError as exc:
        raise CsafError("6.1.9 Invalid CVSS Computation", f"not a CVSS 3 vector: {vector[:100]}") from exc


# --- writing --------------------------------------------------------------------------------------


def build(
    *,
    publisher_name: str,
    publisher_namespace: str,
    tracking_id: str,
    title: str,
    tlp: str,
    released: datetime,
    summary: str,
    cve: str,
    cvss: dict | None,
    kans: str,
    schade: str,
    products: list[dict],
    remediation: str,
    version: str = "1",
) -> dict:
    """A CSAF 2.0 security advisory written by a CERT on the platform. `products` are dicts with
    vendor, product, version_range (a `vers` string or empty), cpe and purl. The result must still
    pass `check`; the caller does that before keeping it."""
    moment = released.isoformat().replace("+00:00", "Z")
    distribution = {"tlp": {"label": _TLP_TO_CSAF[tlp], "url": "https://www.first.org/tlp/"}}
    if tlp == "amber+strict":
        distribution["text"] = "TLP v2.0: TLP:AMBER+STRICT"
    vendors: dict[str, list] = {}
    ids = []
    for index, item in enumerate(products, start=1):
        pid = f"WEERBAAR-{index:04d}"
        ids.append(pid)
        full = {
            "name": f"{item['vendor']} {item['product']} {item.get('version_range') or ''}".strip(),
            "product_id": pid,
        }
        helper = {k: item[k] for k in ("cpe", "purl") if item.get(k)}
        if helper:
            full["product_identification_helper"] = helper
        leaf = {
            "category": "product_version_range",
            "name": item.get("version_range") or "vers:unknown/*",
            "product": full,
        }
        vendors.setdefault(item["vendor"], []).append(
            {"category": "product_name", "name": item["product"], "branches": [leaf]}
        )
    branches = [{"category": "vendor", "name": vendor, "branches": names} for vendor, names in vendors.items()]
    notes = [{"category": "summary", "title": "Summary", "text": summary}]
    if kans:
        notes.append({"category": "other", "title": "Kans", "text": kans})
    if schade:
        notes.append({"category": "other", "title": "Schade", "text": schade})
    vulnerability: dict = {
        "notes": [{"category": "description", "title": "Description", "text": summary}],
        "product_status": {"known_affected": ids},
    }
    if cve:
        vulnerability["cve"] = cve
    if cvss:
        vulnerability["scores"] = [{"products": ids, "cvss_v3": cvss}]
    if remediation:
        vulnerability["remediations"] = [{"category": "mitigation", "details": remediation, "product_ids": ids}]
    return {
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "distribution": distribution,
            "lang": "nl",
            "notes": notes,
            "publisher": {"category": "coordinator", "name": publisher_name, "namespace": publisher_namespace},
            "title": title,
            "tracking": {
                "current_release_date": moment,
                "id": tracking_id,
                "initial_release_date": moment,
                "revision_history": [{"date": moment, "number": version, "summary": "Eerste versie"}],
                "status": "final",
                "version": version,
            },
        },
        "product_tree": {"branches": branches},
        "vulnerabilities": [vulnerability],
    }
