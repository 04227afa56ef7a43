"""A synthetic, deterministic education sector for the demo, tests and benchmarks.

Pure: no database, no global random state. `generate_sector(organisations, seed)` gives the same
plain records for the same arguments on every machine, so that a demo login, a failing test or a
benchmark figure can be reproduced exactly.

The mix of sectors follows the real sector's sizes (about 1,000 primary and a few hundred secondary
school boards together running about 7,200 schools, 51 MBO institutions, 36 hogescholen,
14 universities, about 25 research institutes and 200-odd non-funded providers), scaled to the
number of measured organisations asked for. Every name is made up from word lists; any likeness
to a real organisation is chance.
"""

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind, SectorCode

DEMO_EMAIL_DOMAIN = "demo.weerbaar.invalid"

# Boards and institutions per sector in the real sector. The count of (V)SO boards is not in the
# sources; about 80 is an estimate.
SECTOR_WEIGHTS: dict[str, int] = {
    SectorCode.PO: 1000,
    SectorCode.VO: 300,
    SectorCode.SO: 80,
    SectorCode.MBO: 51,
    SectorCode.HBO: 36,
    SectorCode.WO: 14,
    SectorCode.RESEARCH: 25,
    SectorCode.NONFUNDED: 200,
}
SECTORS_WITH_SCHOOLS = (SectorCode.PO, SectorCode.VO, SectorCode.SO)
MAX_SCHOOLS_PER_BOARD = 12
# Board numbers have five digits and institution BRIN codes four characters: the generator must
# stay well inside those spaces so that drawing unique codes stays quick.
MAX_ORGANISATIONS = 50_000


@dataclass(frozen=True)
class DemoOrganisation:
    """One organisation of the synthetic sector. `key` is stable within one generated sector and
    is how the records refer to each other (parent, council members)."""

    key: str
    name: str
    kind: str
    sector: str | None = None
    parent: str | None = None
    board_number: str = ""
    brin: str = ""
    student_count: int | None = None
    is_funded: bool = True
    served_sectors: tuple[str, ...] = ()
    council_members: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoUser:
    """A well-known demo login: one role at one organisation."""

    email: str
    full_name: str
    role: str
    organisation: str
    totp_secret: str


@dataclass(frozen=True)
class DemoSector:
    """A whole synthetic sector: its organisations (parents before their schools, members before
    their councils) and the demo logins."""

    seed: int
    organisations: tuple[DemoOrganisation, ...]
    users: tuple[DemoUser, ...]

    def by_key(self) -> dict[str, DemoOrganisation]:
        return {organisation.key: organisation for organisation in self.organisations}

    def measured(self) -> list[DemoOrganisation]:
        """The boards and institutions (not their schools, not the support organisations)."""
        return [o for o in self.organisations if o.sector is not None and o.kind != OrganisationKind.SCHOOL]

    def schools(self) -> list[DemoOrganisation]:
        return [o for o in self.organisations if o.kind == OrganisationKind.SCHOOL]


def totp_secret(seed: int, email: str) -> str:
    """A base32 TOTP secret derived from the seed and the address, so it survives a re-seed."""
    digest = hashlib.sha256(f"weerbaar-demo-totp:{seed}:{email.lower()}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def allocate(organisations: int) -> dict[str, int]:
    """How many boards or institutions each sector gets out of `organisations`.

    Proportional to SECTOR_WEIGHTS by largest remainder; from 8 on, every sector has at least one.
    """
    total_weight = sum(SECTOR_WEIGHTS.values())
    quota = {code: organisations * weight / total_weight for code, weight in SECTOR_WEIGHTS.items()}
    minimum = 1 if organisations >= len(SECTOR_WEIGHTS) else 0
    counts = {code: max(int(share), minimum) for code, share in quota.items()}
    # Ties go to the sector listed first, so the outcome never depends on float noise alone.
    order = list(SECTOR_WEIGHTS)
    while sum(counts.values()) > organisations:
        code = max(
            (c for c in order if counts[c] > minimum),
            key=lambda c: (counts[c] - quota[c], -order.index(c)),
        )
        counts[code] -= 1
    while sum(counts.values()) < organisations:
        code = max(order, key=lambda c: (quota[c] - counts[c], -order.index(c)))
        counts[code] += 1
    return counts


# --- Word lists -------------------------------------------------------------------------------

_PLACE_HEADS = [
    "Aal",
    "Beek",
    "Berken",
    "Bos",
    "Brede",
    "Dal",
    "Eiken",
    "Elzen",
    "Gans",
    "Haver",
    "Heem",
    "Hoog",
    "Kerk",
    "Klaver",
    "Laar",
    "Linde",
    "Meer",
    "Molen",
    "Nieuw",
    "Ooster",
    "Oud",
    "Ravens",
    "Riet",
    "Rozen",
    "Schoon",
    "Spijk",
    "Steen",
    "Valken",
    "Veen",
    "Vlas",
    "Vossen",
    "Wester",
    "Wilgen",
    "Zand",
    "Zilver",
    "Zuider",
    "Hazel",
    "Lis",
    "Mos",
    "Tarwe",
]
_PLACE_TAILS = [
    "broek",
    "burg",
    "dam",
    "dijk",
    "dorp",
    "gaarde",
    "haven",
    "horst",
    "hoven",
    "kamp",
    "kerk",
    "land",
    "loo",
    "meer",
    "oord",
    "rade",
    "stein",
    "veld",
    "vliet",
    "wijk",
    "woude",
    "zicht",
    "hem",
    "brugge",
]
_FEATURES = [
    "De Vaart",
    "De Linde",
    "De Horizon",
    "De Brug",
    "De Waterlelie",
    "De Regenboog",
    "De Klimop",
    "De Kameleon",
    "De Zonnewijzer",
    "De Wielewaal",
    "De Vlinder",
    "De Duinen",
    "De Polder",
    "De Meander",
    "Het Kompas",
    "De Vuurtoren",
    "De Wilg",
    "De Eik",
    "De Kastanje",
    "De Notenbalk",
    "De Tuimelaar",
    "De Springplank",
    "De Zevensprong",
    "De Boomgaard",
    "De Akker",
    "De Hoeksteen",
    "De Vlonder",
    "De Toverbal",
    "De Kei",
    "De Wending",
    "Het Anker",
    "Het Palet",
    "Het Baken",
]
_COMPASS = [
    "Noord",
    "Zuid",
    "Oost",
    "West",
    "Noordwest",
    "Zuidwest",
    "Noordoost",
    "Zuidoost",
    "Midden",
]
_LANDSCAPES = [
    "kust",
    "land",
    "veen",
    "delta",
    "polder",
    "heuvels",
    "zand",
    "waard",
    "duin",
    "stroom",
]
_REGION_WORDS = [
    "Rivier",
    "Delta",
    "Polder",
    "Heide",
    "Veen",
    "Duin",
    "Wadden",
    "Beken",
    "Kanaal",
    "Dijk",
]
_SAINTS = [
    "Jozef",
    "Franciscus",
    "Martinus",
    "Bernardus",
    "Willibrord",
    "Odulphus",
    "Lidwina",
    "Bonifatius",
]
_PATRONS = [
    "Erasmus",
    "Spinoza",
    "Comenius",
    "Huygens",
    "Vondel",
    "Hugo de Groot",
    "Grotius",
    "Stevin",
]
_RESEARCH_TOPICS = [
    "Bodem",
    "Zee",
    "Taal",
    "Klimaat",
    "Hersen",
    "Ruimte",
    "Water",
    "Materialen",
    "Sterren",
    "Dier",
    "Plant",
    "Data",
    "Geschiedenis",
    "Voedings",
    "Energie",
    "Ecologie",
    "Cultuur",
    "Gezondheids",
]
_SURNAMES = [
    "Van Dam",
    "De Boer",
    "Mulder",
    "Bosman",
    "Hendriks",
    "Smit",
    "Dekker",
    "Kok",
    "Brouwer",
    "Van Leeuwen",
    "Willems",
    "Prins",
    "Vermeulen",
    "Post",
    "Kuiper",
    "Veenstra",
    "Hoekstra",
    "Schouten",
]
_TRAINING_TOPICS = [
    "Taal",
    "Zorg",
    "Techniek",
    "Logistiek",
    "ICT",
    "Management",
    "Financiële",
    "Veiligheids",
]


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_HEADS) + rng.choice(_PLACE_TAILS)


def _region(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(_COMPASS)
    if roll < 0.7:
        return rng.choice(_COMPASS) + rng.choice(_LANDSCAPES)
    return rng.choice(_REGION_WORDS) + "land"


def _feature(rng: random.Random) -> str:
    return rng.choice(_FEATURES)


_BOARD_NAMES: dict[str, list[Callable[[random.Random], str]]] = {
    SectorCode.PO: [
        lambda r: f"Stichting Openbaar Onderwijs {_feature(r)}",
        lambda r: f"Stichting Openbaar Onderwijs {_place(r)}",
        lambda r: f"Stichting Katholiek Onderwijs {_place(r)}",
        lambda r: f"Stichting Christelijk Primair Onderwijs {_region(r)}",
        lambda r: f"Vereniging voor Protestants-Christelijk Onderwijs {_place(r)}",
        lambda r: f"Stichting Primair Onderwijs {_region(r)}",
        lambda r: f"Onderwijsgroep {_place(r)}",
        lambda r: f"Stichting Kindcentra {_place(r)}",
    ],
    SectorCode.VO: [
        lambda r: f"Christelijke Scholengroep {_region(r)}",
        lambda r: f"Stichting Voortgezet Onderwijs {_place(r)}",
        lambda r: f"Openbare Scholengemeenschap {_region(r)}",
        lambda r: f"Stichting Katholiek Voortgezet Onderwijs {_place(r)}",
        lambda r: f"Scholengroep {_place(r)}",
        lambda r: f"Stichting Lyceum {_place(r)}",
    ],
    SectorCode.SO: [
        lambda r: f"Stichting Speciaal Onderwijs {_region(r)}",
        lambda r: f"Stichting Expertisecentrum {_place(r)}",
        lambda r: f"Stichting (V)SO {_feature(r)}",
        lambda r: f"Stichting Speciaal Onderwijs {_place(r)}",
    ],
    SectorCode.MBO: [
        lambda r: f"ROC {_region(r)}",
        lambda r: f"ROC {_place(r)}",
        lambda r: f"{_place(r)} College",
        lambda r: f"AOC {_region(r)}",
        lambda r: f"Vakschool {_place(r)}",
    ],
    SectorCode.HBO: [
        lambda r: f"Hogeschool {_region(r)}",
        lambda r: f"Hogeschool {_place(r)}",
        lambda r: f"Hogeschool voor de Kunsten {_place(r)}",
        lambda r: f"Christelijke Hogeschool {_place(r)}",
    ],
    SectorCode.WO: [
        lambda r: f"Universiteit van {_place(r)}",
        lambda r: f"Technische Universiteit {_place(r)}",
        lambda r: f"Open Universiteit {_region(r)}",
        lambda r: f"Vrije Universiteit {_place(r)}",
    ],
    SectorCode.RESEARCH: [
        lambda r: f"Instituut voor {r.choice(_RESEARCH_TOPICS)}onderzoek",
        lambda r: f"Nederlands Instituut voor {r.choice(_RESEARCH_TOPICS)}onderzoek",
        lambda r: f"{r.choice(_RESEARCH_TOPICS)}instituut {_place(r)}",
        lambda r: f"Centrum voor {r.choice(_RESEARCH_TOPICS)}onderzoek {_place(r)}",
    ],
    SectorCode.NONFUNDED: [
        lambda r: f"{_place(r)} Opleidingen",
        lambda r: f"Opleidingsinstituut {r.choice(_SURNAMES)}",
        lambda r: f"{r.choice(_SURNAMES)} Academie",
        lambda r: f"{r.choice(_TRAINING_TOPICS)} Academie {_place(r)}",
        lambda r: f"Instituut {r.choice(_SURNAMES)} {_place(r)}",
    ],
}

_SCHOOL_NAMES: dict[str, list[Callable[[random.Random], str]]] = {
    SectorCode.PO: [
        lambda r: f"Basisschool {_feature(r)}",
        lambda r: f"Openbare Basisschool {_feature(r)}",
        lambda r: f"CBS {_feature(r)}",
        lambda r: f"RK Basisschool Sint {r.choice(_SAINTS)}",
        lambda r: f"Kindcentrum {_feature(r)}",
        lambda r: f"Basisschool {_place(r)}",
    ],
    SectorCode.VO: [
        lambda r: f"{r.choice(_PATRONS)} College",
        lambda r: f"Lyceum {_place(r)}",
        lambda r: f"Scholengemeenschap {_place(r)}",
        lambda r: f"{_place(r)} College",
        lambda r: f"Vakcollege {_place(r)}",
        lambda r: f"Sint-{r.choice(_SAINTS)}college",
    ],
    SectorCode.SO: [
        lambda r: f"SO {_feature(r)}",
        lambda r: f"VSO {_place(r)}",
        lambda r: f"School voor Speciaal Onderwijs {_feature(r)}",
        lambda r: f"Mytylschool {_place(r)}",
    ],
}

# Pupils per school, per student count of an institution: (low, high, most common). The means
# come close to the real ones (about 225 pupils per primary school, 1,400 per secondary school,
# 10,000 students per MBO institution, 12,000 per hogeschool, 24,000 per university).
_SCHOOL_SIZES = {
    SectorCode.PO: (25, 550, 140),
    SectorCode.VO: (300, 2800, 1000),
    SectorCode.SO: (30, 350, 120),
}
_INSTITUTION_SIZES = {
    SectorCode.MBO: (800, 25_000, 6_000),
    SectorCode.HBO: (400, 40_000, 3_000),
    SectorCode.WO: (1_500, 42_000, 25_000),
    SectorCode.NONFUNDED: (20, 2_500, 100),
}
_INSTITUTION_KIND = {
    SectorCode.MBO: OrganisationKind.INSTITUTION,
    SectorCode.HBO: OrganisationKind.INSTITUTION,
    SectorCode.WO: OrganisationKind.INSTITUTION,
    SectorCode.RESEARCH: OrganisationKind.RESEARCH_INSTITUTE,
    SectorCode.NONFUNDED: OrganisationKind.INSTITUTION,
}
# About a third of the NRTO members offer accredited programmes and so hold a BRIN code.
_NONFUNDED_WITH_BRIN = 0.35

_PRIMARY_SECTORS = (SectorCode.PO, SectorCode.VO, SectorCode.SO)
_HIGHER_SECTORS = (SectorCode.MBO, SectorCode.HBO, SectorCode.WO, SectorCode.RESEARCH)

# The fixed support organisations: (key, name, kind, sectors served). Council members are filled
# in from the generated boards and institutions. (V)SO boards belong to PO-Raad, as in the real
# sector, where the PO-Raad speaks for special education too.
_SUPPORT = [
    ("school-cert", "School-CERT", OrganisationKind.CERT, _PRIMARY_SECTORS),
    ("surfcert", "SURFcert", OrganisationKind.CERT, _HIGHER_SECTORS),
    ("kennisnet", "Kennisnet", OrganisationKind.SECTOR_ORGANISATION, _PRIMARY_SECTORS),
    ("sivon", "SIVON", OrganisationKind.SECTOR_ORGANISATION, _PRIMARY_SECTORS),
    ("surf", "SURF", OrganisationKind.SECTOR_ORGANISATION, _HIGHER_SECTORS),
    ("mbo-digitaal", "MBO Digitaal", OrganisationKind.SECTOR_ORGANISATION, (SectorCode.MBO,)),
    ("po-raad", "PO-Raad", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("vo-raad", "VO-raad", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("mbo-raad", "MBO Raad", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("vh", "Vereniging Hogescholen", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("unl", "Universiteiten van Nederland", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("nrto", "NRTO", OrganisationKind.UMBRELLA_COUNCIL, ()),
    ("ocw", "Ministerie van Onderwijs, Cultuur en Wetenschap", OrganisationKind.MINISTRY, ()),
    ("inspectie", "Inspectie van het Onderwijs", OrganisationKind.INSPECTORATE, ()),
    ("auditbureau", "Auditbureau Veldzicht", OrganisationKind.AUDIT_FIRM, ()),
]
_COUNCIL_SECTORS = {
    "po-raad": (SectorCode.PO, SectorCode.SO),
    "vo-raad": (SectorCode.VO,),
    "mbo-raad": (SectorCode.MBO,),
    "vh": (SectorCode.HBO,),
    "unl": (SectorCode.WO,),
    "nrto": (SectorCode.NONFUNDED,),
}

# The demo logins: (address, name, role, organisation). "first-po" and "first-mbo" stand for the
# first generated PO board and MBO institution.
_DEMO_PEOPLE = [
    ("ibp", "Ilse Verbeek", Role.IBP_OFFICER, "first-po"),
    ("dpo", "Ruben Hofstede", Role.DPO, "first-po"),
    ("bestuurder", "Marieke van Dalen", Role.BOARD_MEMBER, "first-po"),
    ("toezicht", "Henk Oosterbeek", Role.SUPERVISORY_BOARD, "first-po"),
    ("ibp.mbo", "Samira el Idrissi", Role.IBP_OFFICER, "first-mbo"),
    ("cert.po", "Joost Brinkman", Role.CERT_ANALYST, "school-cert"),
    ("cert.ho", "Lotte Kramer", Role.CERT_ANALYST, "surfcert"),
    ("coordinator", "Bram Visscher", Role.SECTOR_COORDINATOR, "sivon"),
    ("koepel", "Fatima Bouzid", Role.COUNCIL_MEMBER, "po-raad"),
    ("ministerie", "Pieter Jansma", Role.MINISTRY_ANALYST, "ocw"),
    ("inspectie", "Eva Lindeman", Role.INSPECTOR, "inspectie"),
    ("auditor", "Thomas Wijers", Role.AUDITOR, "auditbureau"),
]

DEMO_EMAILS = tuple(f"{local}@{DEMO_EMAIL_DOMAIN}" for local, *_rest in _DEMO_PEOPLE)


class _Codes:
    """Draws unique board numbers and BRIN codes."""

    _LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, draw: Callable[[], str]) -> str:
        while True:
            code = draw()
            if code not in self.used:
                self.used.add(code)
                return code

    def board_number(self) -> str:
        return self._unique(lambda: f"{self.rng.randint(10000, 99999)}")

    def institution_brin(self) -> str:
        return self._unique(lambda: f"{self.rng.randint(0, 99):02d}{self._letters()}")

    def school_brin(self) -> str:
        return self._unique(lambda: f"{self.rng.randint(0, 99):02d}{self._letters()}{self.rng.randint(0, 99):02d}")

    def _letters(self) -> str:
        return self.rng.choice(self._LETTERS) + self.rng.choice(self._LETTERS)


def _unique_name(rng: random.Random, templates: list[Callable[[random.Random], str]], used: set[str]) -> str:
    for _attempt in range(25):
        name = rng.choice(templates)(rng)
        if name not in used:
            used.add(name)
            return name
    # Crowded templates (a very large sector): a place name makes the name unique again.
    while True:
        name = f"{rng.choice(templates)(rng)} {_place(rng)}"
        if name not in used:
            used.add(name)
            return name


# Schools per board: (share of boards with a single school, range for the others). A primary
# board runs about six schools on average, a secondary or special-education board two or three,
# which gives the real sector's ~7,200 schools for its ~1,380 boards.
_SCHOOLS_PER_BOARD = {
    SectorCode.PO: (0.2, (3, MAX_SCHOOLS_PER_BOARD)),
    SectorCode.VO: (0.5, (2, 6)),
    SectorCode.SO: (0.5, (2, 5)),
}


def _school_count(rng: random.Random, sector: str) -> int:
    single_share, (low, high) = _SCHOOLS_PER_BOARD[sector]
    if rng.random() < single_share:
        return 1
    return rng.randint(low, high)


def generate_sector(organisations: int = 60, seed: int = 2026) -> DemoSector:
    """A synthetic sector with `organisations` boards and institutions, their schools, the fixed
    support organisations and the demo logins."""
    if not 1 <= organisations <= MAX_ORGANISATIONS:
        raise ValueError(f"organisations must be between 1 and {MAX_ORGANISATIONS}")
    rng = random.Random(seed)  # noqa: S311 -- reproducible synthetic data, not a secret
    codes = _Codes(rng)
    used_names: set[str] = set()
    records: list[DemoOrganisation] = []
    keys_by_sector: dict[str, list[str]] = {code: [] for code in SECTOR_WEIGHTS}

    for code, count in allocate(organisations).items():
        prefix = code.lower()
        for index in range(1, count + 1):
            key = f"{prefix}-{index:05d}"
            keys_by_sector[code].append(key)
            name = _unique_name(rng, _BOARD_NAMES[code], used_names)
            if code in SECTORS_WITH_SCHOOLS:
                schools = _schools(rng, codes, code, key, first=index == 1)
                records.append(
                    DemoOrganisation(
                        key=key,
                        name=name,
                        kind=OrganisationKind.SCHOOL_BOARD,
                        sector=code,
                        board_number=codes.board_number(),
                        student_count=sum(school.student_count or 0 for school in schools),
                    )
                )
                records.extend(schools)
                continue
            funded = code != SectorCode.NONFUNDED
            has_brin = code in (SectorCode.MBO, SectorCode.HBO, SectorCode.WO) or (
                code == SectorCode.NONFUNDED and rng.random() < _NONFUNDED_WITH_BRIN
            )
            sizes = _INSTITUTION_SIZES.get(code)
            records.append(
                DemoOrganisation(
                    key=key,
                    name=name,
                    kind=_INSTITUTION_KIND[code],
                    sector=code,
                    board_number=codes.board_number() if funded and code != SectorCode.RESEARCH else "",
                    brin=codes.institution_brin() if has_brin else "",
                    student_count=int(rng.triangular(*sizes[:2], sizes[2])) if sizes else None,
                    is_funded=funded,
                )
            )

    for key, name, kind, served in _SUPPORT:
        members: tuple[str, ...] = ()
        if key in _COUNCIL_SECTORS:
            members = tuple(k for code in _COUNCIL_SECTORS[key] for k in keys_by_sector[code])
        records.append(
            DemoOrganisation(
                key=key,
                name=name,
                kind=kind,
                served_sectors=tuple(served),
                council_members=members,
                is_funded=kind != OrganisationKind.AUDIT_FIRM,
            )
        )

    aliases = {
        "first-po": keys_by_sector[SectorCode.PO][0] if keys_by_sector[SectorCode.PO] else None,
        "first-mbo": keys_by_sector[SectorCode.MBO][0] if keys_by_sector[SectorCode.MBO] else None,
    }
    users = []
    for local, full_name, role, where in _DEMO_PEOPLE:
        organisation = aliases.get(where, where)
        if organisation is None:
            # Too small a sector to hold this organisation (fewer than 8 organisations).
            continue
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        users.append(
            DemoUser(
                email=email,
                full_name=full_name,
                role=role,
                organisation=organisation,
                totp_secret=totp_secret(seed, email),
            )
        )
    return DemoSector(seed=seed, organisations=tuple(records), users=tuple(users))


def _schools(rng: random.Random, codes: _Codes, sector: str, board_key: str, *, first: bool) -> list[DemoOrganisation]:
    count = _school_count(rng, sector)
    if first:
        # The demo board shows what a board with several schools looks like.
        count = max(count, 4)
    used: set[str] = set()
    low, high, mode = _SCHOOL_SIZES[sector]
    return [
        DemoOrganisation(
            key=f"{board_key}-{index:02d}",
            name=_unique_name(rng, _SCHOOL_NAMES[sector], used),
            kind=OrganisationKind.SCHOOL,
            sector=sector,
            parent=board_key,
            brin=codes.school_brin(),
            student_count=int(rng.triangular(low, high, mode)),
        )
        for index in range(1, count + 1)
    ]
