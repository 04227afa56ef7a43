"""Demo advisories for `manage.py seed_demo`: software lists for demo institutions, two real CSAF
advisories (shipped in demo/), one advisory written by each demo CERT, and answers of a few
institutions. Everything goes through the services; run once (nothing happens a second time)."""

import random
from pathlib import Path

from django.utils import timezone

from weerbaar.advisories import services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Advisory, Exposure, InventoryItem
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import MEASURED_KINDS, OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

DEMO_FILES = ("bsi-2022-0001.json", "cisco-sa-20180328-smi2.json")
# Software a school board typically lists, with the versions the demo gives out.
SOFTWARE = [
    ("Microsoft", "Windows 10", ["10.0.19045.2965", "10.0.19045.3803", "10.0.19045.4291", ""]),
    ("Microsoft", "Windows 11", ["10.0.22631.2861", "10.0.22631.3447"]),
    ("Microsoft", "Microsoft 365", [""]),
    ("Google", "Chrome", ["120.0.6099.109", "124.0.6367.91"]),
    ("Topicus", "Somtoday", [""]),
    ("Iddink", "Magister", [""]),
    ("Cisco", "IOS", ["12.2SE", "15.2(4)E"]),
    ("Fortinet", "FortiOS", ["7.2.5", "7.4.3"]),
    ("Apache", "log4j-core", ["2.14.1", "2.17.1"]),
]


def _inventory(rng: random.Random, organisation: Organisation) -> list[tuple[int, dict]]:
    rows = []
    for number, (vendor, product, versions) in enumerate(SOFTWARE, start=1):
        if rng.random() < 0.7:
            version = rng.choice(versions)
            purl = f"pkg:maven/org.apache.logging.log4j/log4j-core@{version}" if product == "log4j-core" else ""
            rows.append((number, {"vendor": vendor, "product": product, "version": version, "cpe": "", "purl": purl}))
    return rows


def load_demo_advisories(*, seed: int, limit: int = 300) -> dict | None:
    if Advisory.objects.exists() or InventoryItem.objects.exists():
        return None
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret
    measured = list(Organisation.objects.filter(kind__in=MEASURED_KINDS, is_active=True).order_by("pk")[:limit])
    for organisation in measured:
        rows = _inventory(rng, organisation)
        if rows:
            services._replace_inventory(actor=None, organisation=organisation, rows=rows, kind="demo")
    certs = list(Organisation.objects.filter(kind=OrganisationKind.CERT).order_by("name"))
    school_cert = next((c for c in certs if c.name == "School-CERT"), certs[0] if certs else None)
    for name in DEMO_FILES:
        raw = (Path(__file__).parent / "demo" / name).read_bytes()
        services.import_document(actor=None, raw=raw, owner=school_cert, source=Source.COMMAND, default_tlp="green")
    written = 0
    for cert in certs:
        analyst = Membership.objects.filter(organisation=cert, role=Role.CERT_ANALYST, is_active=True).first()
        if analyst is None:
            continue
        services.write_advisory(
            actor=analyst.user,
            owner=cert,
            title="Kwetsbaarheden verholpen in Microsoft Windows",
            tlp="amber",
            summary=(
                "Microsoft heeft kwetsbaarheden verholpen in Windows. Een aanvaller kan hiermee op afstand "
                "code uitvoeren. Installeer de updates van deze maand."
            ),
            cve="CVE-2024-21412",
            cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
            kans="high",
            schade="high",
            remediation="Installeer de maandelijkse beveiligingsupdates van Microsoft.",
            products=[
                {"vendor": "Microsoft", "product": "Windows 10", "version_range": "vers:generic/<10.0.19045.4291"},
                {"vendor": "Microsoft", "product": "Windows 11", "version_range": "vers:generic/<10.0.22631.3447"},
            ],
        )
        services.write_advisory(
            actor=analyst.user,
            owner=cert,
            title="Kwetsbaarheid in Apache Log4j (Log4Shell)",
            tlp="green",
            summary="Een kwetsbaarheid in Log4j maakt het mogelijk op afstand code uit te voeren.",
            cve="CVE-2021-44228",
            cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            kans="high",
            schade="high",
            remediation="Werk bij naar Log4j 2.17.1 of later.",
            products=[
                {
                    "vendor": "Apache",
                    "product": "log4j-core",
                    "version_range": "vers:maven/>=2.0|<2.17.1",
                    "purl": "pkg:maven/org.apache.logging.log4j/log4j-core",
                }
            ],
        )
        written += 2
    answered = 0
    today = timezone.localdate()
    for exposure in Exposure.objects.select_related("advisory", "organisation").order_by("pk")[:400]:
        if rng.random() > 0.4:
            continue
        officer = Membership.objects.filter(
            organisation=exposure.organisation, role=Role.IBP_OFFICER, is_active=True
        ).first()
        if officer is None or not Advisory.objects.visible_to(officer.user).filter(pk=exposure.advisory_id).exists():
            continue
        state = rng.choice(["patched", "mitigating", "not_affected"])
        services.answer(
            actor=officer.user,
            advisory=exposure.advisory,
            organisation=exposure.organisation,
            state=state,
            patched_on=today if state == "patched" else None,
        )
        answered += 1
    return {
        "inventories": InventoryItem.objects.values("organisation").distinct().count(),
        "advisories": Advisory.objects.count(),
        "written": written,
        "exposures": Exposure.objects.count(),
        "answers": answered,
    }
