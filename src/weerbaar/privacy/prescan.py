"""The pre-scan: is a DPIA needed, and is a transfer assessment (DTIA) needed? Pure: no database.

The rules, in our own words:

- A DPIA is needed when the processing is of a type on the Dutch supervisory authority's list
  (Autoriteit Persoonsgegevens, 2019), or when it meets two or more of the nine criteria of the
  European data protection board's guidelines. With exactly one criterion a DPIA is advised.
- A DTIA is needed when personal data are stored, supported or otherwise reachable outside the
  EEA and the transfer rests on something other than an adequacy decision (standard contractual
  clauses or another instrument). A transfer under the EU–US Data Privacy Framework counts as
  adequacy.

Every conclusion comes with the reasons that led to it, so that the DPO can check it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from weerbaar.privacy.choices import ADEQUATE_MECHANISMS, TransferMechanism

# The kinds of processing the AP lists as always needing a DPIA (short labels of our own).
AP_TYPES: dict[str, str] = {
    "covert_investigation": _("covert investigation"),
    "blacklists": _("black lists"),
    "fraud": _("fraud prevention"),
    "credit_scores": _("credit scores"),
    "financial": _("financial situation"),
    "genetic": _("genetic data"),
    "health": _("health data on a large scale"),
    "partnerships": _("sharing in partnerships"),
    "camera": _("camera surveillance"),
    "flexible_camera": _("flexible camera surveillance (body cams, drones)"),
    "employee_monitoring": _("monitoring of employees"),
    "location": _("location data"),
    "communication": _("communication data"),
    "iot": _("internet of things"),
    "profiling": _("profiling"),
    "behaviour": _("observing and influencing behaviour"),
    "biometric": _("biometric data"),
}

# The EDPB criteria for processing that is likely to be high risk.
EDPB_CRITERIA: dict[str, str] = {
    "scoring": _("evaluation or scoring of people"),
    "automated_decisions": _("automated decisions with legal or similar effect"),
    "systematic_monitoring": _("systematic monitoring"),
    "sensitive_data": _("sensitive or highly personal data"),
    "large_scale": _("processing on a large scale"),
    "combining": _("matching or combining data sets"),
    "vulnerable": _("vulnerable people, such as pupils or employees"),
    "innovative": _("innovative use of technology"),
    "blocking": _("keeps people from a right, service or contract"),
}


class Outcome:
    REQUIRED = "required"
    ADVISED = "advised"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class Transfer:
    country: str
    mechanism: str


@dataclass(frozen=True)
class PrescanResult:
    dpia: str
    dtia: bool
    dpia_reasons: list[str] = field(default_factory=list)
    dtia_reasons: list[str] = field(default_factory=list)

    @property
    def dpia_needed(self) -> bool:
        return self.dpia == Outcome.REQUIRED


def validate(ap_types: Iterable[str], edpb_criteria: Iterable[str], transfers: Iterable[Transfer]) -> dict:
    """Field errors for unknown answers ({} when all is well)."""
    errors: dict[str, str] = {}
    unknown_ap = sorted(set(ap_types) - set(AP_TYPES))
    if unknown_ap:
        errors["ap_types"] = _("Unknown kind of processing: %(codes)s") % {"codes": ", ".join(unknown_ap)}
    unknown_edpb = sorted(set(edpb_criteria) - set(EDPB_CRITERIA))
    if unknown_edpb:
        errors["edpb_criteria"] = _("Unknown criterion: %(codes)s") % {"codes": ", ".join(unknown_edpb)}
    for transfer in transfers:
        if transfer.mechanism not in TransferMechanism.values:
            errors["transfers"] = _("Unknown transfer mechanism: %(value)s") % {"value": transfer.mechanism}
        elif not is_country_code(transfer.country):
            errors["transfers"] = _("Give a country as a two-letter code, such as NL or US.")
    return errors


def is_country_code(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()


# EEA member states (EU plus Iceland, Liechtenstein and Norway) as ISO 3166 codes.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)


def outside_eea(country: str) -> bool:
    return country.upper() not in EEA


def evaluate(ap_types: Iterable[str], edpb_criteria: Iterable[str], transfers: Iterable[Transfer]) -> PrescanResult:
    """The pre-scan's conclusion with its reasons. Unknown codes raise ValueError; call
    validate() first for user input."""
    ap = list(dict.fromkeys(ap_types))
    edpb = list(dict.fromkeys(edpb_criteria))
    transfers = list(transfers)
    if validate(ap, edpb, transfers):
        raise ValueError("unknown pre-scan answers")
    dpia_reasons: list[str] = []
    for code in ap:
        dpia_reasons.append(_("On the AP's list: %(type)s.") % {"type": AP_TYPES[code]})
    if len(edpb) >= 2:
        dpia_reasons.append(
            _("%(count)d EDPB criteria are met (two or more mean a DPIA): %(criteria)s.")
            % {"count": len(edpb), "criteria": ", ".join(str(EDPB_CRITERIA[c]) for c in edpb)}
        )
    if ap or len(edpb) >= 2:
        dpia = Outcome.REQUIRED
    elif len(edpb) == 1:
        dpia = Outcome.ADVISED
        dpia_reasons.append(
            _("One EDPB criterion is met (%(criterion)s): a DPIA is advised, not required.")
            % {"criterion": EDPB_CRITERIA[edpb[0]]}
        )
    else:
        dpia = Outcome.NOT_NEEDED
        dpia_reasons.append(_("Not on the AP's list and no EDPB criterion is met."))

    dtia_reasons: list[str] = []
    for transfer in transfers:
        if outside_eea(transfer.country) and transfer.mechanism not in ADEQUATE_MECHANISMS:
            dtia_reasons.append(
                _("Data go to %(country)s (outside the EEA) on %(mechanism)s, not on an adequacy decision.")
                % {"country": transfer.country, "mechanism": TransferMechanism(transfer.mechanism).label}
            )
    if not dtia_reasons:
        outside = [t.country for t in transfers if outside_eea(t.country)]
        if outside:
            dtia_reasons.append(
                _("Data go outside the EEA (%(countries)s), but on an adequacy decision.")
                % {"countries": ", ".join(dict.fromkeys(outside))}
            )
        else:
            dtia_reasons.append(_("No data go outside the EEA."))
    dtia = any(outside_eea(t.country) and t.mechanism not in ADEQUATE_MECHANISMS for t in transfers)
    return PrescanResult(dpia=dpia, dtia=dtia, dpia_reasons=dpia_reasons, dtia_reasons=dtia_reasons)
