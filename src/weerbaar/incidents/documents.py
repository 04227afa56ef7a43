"""The pre-filled documents of an incident: the NIS2 early warning, incident notification,
intermediate, progress and final reports, and the answers to the sections of the AP's data breach
form. The institution checks them and submits them to the authority itself (the AP accepts only
its own online form; the NCSC has its reporting portal).

Built from the incident and the records passed in, without reading the database: the caller
decides what the reader may see. Indicators marked TLP:AMBER+STRICT or TLP:RED never go into a
document meant for an authority.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from weerbaar.incidents.choices import (
    BreachNature,
    Category,
    Channel,
    ClockKind,
    DataRisk,
    DataSubjectGroup,
    DocumentKind,
    Encryption,
    IncidentStatus,
    IndicatorType,
    PersonalDataCategory,
    Severity,
    Tlp,
)
from weerbaar.incidents.clocks import AMSTERDAM, Clock

SHAREABLE_TLPS = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER)


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    heading: str
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    intro: str
    recipient: str
    tlp: str
    reference: str
    deadline: str
    sections: list[Section] = field(default_factory=list)


def when(moment: datetime | None) -> str:
    if moment is None:
        return _("not known")
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") + " " + _("(Amsterdam time)")


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def number(value: int | None) -> str:
    return _("not known") if value is None else f"{value:,}".replace(",", ".")


def text(value: str) -> str:
    return value.strip() if value and value.strip() else _("not filled in")


def labels(values: Iterable[str], choices) -> str:
    names = dict(choices.choices)
    shown = [str(names.get(v, v)) for v in values]
    return ", ".join(shown) if shown else _("none given")


def label(value: str, choices, empty: str | None = None) -> str:
    if not value:
        return empty or _("not filled in")
    return str(dict(choices.choices).get(value, value))


def _organisation(incident) -> Section:
    organisation = incident.organisation
    sector = organisation.sector or (organisation.parent.sector if organisation.parent_id else None)
    rows = [
        Row(_("Name"), organisation.name),
        Row(_("Sector"), str(sector) if sector else _("not known")),
    ]
    if organisation.brin:
        rows.append(Row(_("BRIN code"), organisation.brin))
    if organisation.board_number:
        rows.append(Row(_("Board number"), organisation.board_number))
    if organisation.parent_id:
        rows.append(Row(_("School board"), organisation.parent.name))
    return Section(_("Organisation"), rows)


def _contact(incident, heading: str | None = None) -> Section:
    return Section(
        heading or _("Reporting official"),
        [
            Row(_("Name"), text(incident.contact_name)),
            Row(_("Function"), text(incident.contact_role)),
            Row(_("Phone"), text(incident.contact_phone)),
            Row(_("E-mail address"), text(incident.contact_email)),
        ],
    )


def _impact(incident) -> Section:
    return Section(
        _("Impact"),
        [
            Row(_("Systems affected"), text(incident.systems_affected)),
            Row(_("Teaching hours disrupted"), number(incident.teaching_hours_lost)),
            Row(_("Pupils or students affected"), number(incident.pupils_affected)),
            Row(_("Staff affected"), number(incident.staff_affected)),
            Row(_("Personal data involved"), yes_no(incident.personal_data_involved)),
            Row(_("Ransomware"), yes_no(incident.ransomware)),
            Row(_("Ransom demanded"), yes_no(incident.ransom_demanded)),
            Row(_("Ransom paid"), yes_no(incident.ransom_paid)),
        ],
    )


def _indicators(indicators: Sequence) -> Section:
    shared = [i for i in indicators if i.tlp in SHAREABLE_TLPS]
    rows = [Row(label(i.type, IndicatorType), f"{i.value} ({Tlp(i.tlp).label})") for i in shared]
    note = "" if rows else _("No indicators of compromise that may be shared with an authority.")
    return Section(_("Indicators of compromise"), rows, note)


def _assessment(incident) -> Section:
    return Section(
        _("Initial assessment"),
        [
            Row(_("Kind of incident"), label(incident.category, Category)),
            Row(_("Severity"), label(incident.severity, Severity, _("not assessed yet by the CERT"))),
            Row(_("Still going on"), yes_no(incident.ongoing)),
            Row(
                _("Suspected to be a deliberate or unlawful act"),
                yes_no(incident.suspected_malicious),
            ),
            Row(_("May affect other countries"), yes_no(incident.cross_border)),
        ],
    )


def _deadline(clocks: Sequence[Clock], kind: str) -> str:
    for clock in clocks:
        if clock.kind == kind:
            if clock.due_at is None:
                return _("without undue delay")
            prefix = _("at the latest") + " " if clock.provisional else ""
            return prefix + when(clock.due_at)
    return _("does not apply")


def build(
    kind: str,
    incident,
    *,
    indicators: Sequence = (),
    records: dict | None = None,
    clocks: Sequence[Clock] = (),
) -> Document:
    """The document of `kind` for the incident, filled in with what is known now."""
    records = records or {}
    builders = {
        DocumentKind.EARLY_WARNING: _early_warning,
        DocumentKind.NOTIFICATION: _notification,
        DocumentKind.INTERMEDIATE: _intermediate,
        DocumentKind.PROGRESS: _progress,
        DocumentKind.FINAL: _final,
        DocumentKind.AP_BREACH: _ap_breach,
    }
    if kind not in builders:
        raise ValueError(f"unknown document kind {kind!r}")
    return builders[kind](incident, list(indicators), records, list(clocks))


def _base(kind, incident, clocks, clock_kind, intro, recipient, sections) -> Document:
    return Document(
        kind=kind,
        title=str(DocumentKind(kind).label),
        intro=intro,
        recipient=recipient,
        tlp=Tlp(incident.tlp).label,
        reference=incident.reference,
        deadline=_deadline(clocks, clock_kind),
        sections=sections,
    )


def _incident_core(incident) -> Section:
    return Section(
        _("Incident"),
        [
            Row(_("Title"), incident.title),
            Row(_("What happened"), text(incident.description)),
            Row(_("Started"), when(incident.started_at)),
            Row(_("Noticed"), when(incident.detected_at)),
            Row(_("Became aware"), when(incident.aware_at)),
        ],
    )


NIS2_RECIPIENT = "CSIRT / NCSC"


def _early_warning(incident, indicators, records, clocks) -> Document:
    intro = _(
        "The early warning goes to the CSIRT and the competent authority within 24 hours of "
        "becoming aware "
        "of a significant incident. It says whether the incident is suspected to be a deliberate "
        "or unlawful "
        "act and whether it may affect other countries, and who the reporting official is."
    )
    return _base(
        DocumentKind.EARLY_WARNING,
        incident,
        clocks,
        ClockKind.NIS2_EARLY_WARNING,
        intro,
        NIS2_RECIPIENT,
        [
            _organisation(incident),
            _contact(incident),
            _incident_core(incident),
            Section(
                _("Early warning"),
                [
                    Row(
                        _("Suspected to be a deliberate or unlawful act"),
                        yes_no(incident.suspected_malicious),
                    ),
                    Row(_("May affect other countries"), yes_no(incident.cross_border)),
                ],
            ),
        ],
    )


def _notification(incident, indicators, records, clocks) -> Document:
    intro = _(
        "The incident notification follows within 72 hours of becoming aware. It updates the "
        "early warning "
        "and gives a first assessment of the incident, its severity and impact, and the "
        "indicators of "
        "compromise where they are known."
    )
    early = records.get(ClockKind.NIS2_EARLY_WARNING)
    return _base(
        DocumentKind.NOTIFICATION,
        incident,
        clocks,
        ClockKind.NIS2_NOTIFICATION,
        intro,
        NIS2_RECIPIENT,
        [
            _organisation(incident),
            _contact(incident),
            _incident_core(incident),
            Section(
                _("Earlier notification"),
                [
                    Row(_("Early warning sent"), when(early.met_at) if early else _("not recorded")),
                    Row(
                        _("Reference"),
                        early.reference if early and early.reference else _("not recorded"),
                    ),
                ],
            ),
            _assessment(incident),
            _impact(incident),
            _indicators(indicators),
        ],
    )


def _status_rows(incident) -> list[Row]:
    return [
        Row(_("Status"), label(incident.status, IncidentStatus)),
        Row(_("Still going on"), yes_no(incident.ongoing)),
        Row(_("Severity"), label(incident.severity, Severity, _("not assessed yet by the CERT"))),
        Row(_("Measures taken and ongoing"), text(incident.mitigations)),
        Row(_("Cause, as far as known"), text(incident.root_cause)),
    ]


def _intermediate(incident, indicators, records, clocks) -> Document:
    intro = _("An intermediate report gives the state of affairs when the CSIRT or the authority asks for it.")
    return _base(
        DocumentKind.INTERMEDIATE,
        incident,
        clocks,
        "",
        intro,
        NIS2_RECIPIENT,
        [
            _organisation(incident),
            _contact(incident),
            _incident_core(incident),
            Section(
                _("State of affairs"),
                [
                    Row(_("Requested on"), when(incident.intermediate_requested_at)),
                    *_status_rows(incident),
                ],
            ),
            _impact(incident),
            _indicators(indicators),
        ],
    )


def _progress(incident, indicators, records, clocks) -> Document:
    intro = _(
        "When the incident is still going on one month after the notification, a progress report "
        "is due "
        "then instead of the final report; the final report follows within one month after the "
        "incident "
        "has been handled."
    )
    return _base(
        DocumentKind.PROGRESS,
        incident,
        clocks,
        ClockKind.NIS2_PROGRESS,
        intro,
        NIS2_RECIPIENT,
        [
            _organisation(incident),
            _contact(incident),
            _incident_core(incident),
            Section(_("Progress"), _status_rows(incident)),
            _impact(incident),
            _indicators(indicators),
        ],
    )


def _final(incident, indicators, records, clocks) -> Document:
    intro = _(
        "The final report follows within one month after the incident notification. It describes "
        "the "
        "incident in detail with its severity and impact, the kind of threat or cause, the "
        "measures taken "
        "and still ongoing, and any effect in other countries."
    )
    return _base(
        DocumentKind.FINAL,
        incident,
        clocks,
        ClockKind.NIS2_FINAL,
        intro,
        NIS2_RECIPIENT,
        [
            _organisation(incident),
            _contact(incident),
            _incident_core(incident),
            Section(
                _("Detailed description"),
                [
                    Row(_("Kind of incident"), label(incident.category, Category)),
                    Row(
                        _("Severity"),
                        label(incident.severity, Severity, _("not assessed yet by the CERT")),
                    ),
                    Row(_("Resolution"), text(incident.resolution_summary)),
                    Row(_("Resolved on"), when(incident.resolved_at)),
                ],
            ),
            _impact(incident),
            Section(_("Kind of threat or cause"), [Row(_("Cause"), text(incident.root_cause))]),
            Section(_("Measures"), [Row(_("Measures taken and ongoing"), text(incident.mitigations))]),
            Section(
                _("Other countries"),
                [Row(_("May affect other countries"), yes_no(incident.cross_border))],
            ),
            _indicators(indicators),
        ],
    )


def _ap_breach(incident, indicators, records, clocks) -> Document:
    intro = _(
        "The answers to the questions of the Autoriteit Persoonsgegevens' data breach form, "
        "section by "
        "section. The AP accepts notifications only through its online form: copy the answers "
        "there. The "
        "form can be saved and supplemented later."
    )
    ap = records.get(ClockKind.AP_NOTIFICATION)
    informed = records.get(ClockKind.DATA_SUBJECTS)
    special = PersonalDataCategory.SPECIAL in incident.personal_data_categories
    return _base(
        DocumentKind.AP_BREACH,
        incident,
        clocks,
        ClockKind.AP_NOTIFICATION,
        intro,
        "Autoriteit Persoonsgegevens",
        [
            Section(
                _("0. About this notification"),
                [
                    Row(_("Legal basis"), _("GDPR (AVG), Article 33")),
                    Row(
                        _("New notification or follow-up"),
                        _("follow-up") if ap else _("new notification"),
                    ),
                ],
            ),
            Section(
                _("1. Contact details and general information"),
                [
                    Row(_("Organisation"), incident.organisation.name),
                    Row(_("Chamber of Commerce number and address"), _("fill in on the form")),
                    Row(_("Notifier: name"), text(incident.contact_name)),
                    Row(_("Notifier: function"), text(incident.contact_role)),
                    Row(_("Notifier: phone"), text(incident.contact_phone)),
                    Row(_("Notifier: e-mail address"), text(incident.contact_email)),
                    Row(
                        _("Other organisation involved (processor, supplier)"),
                        text(incident.processor_involved),
                    ),
                ],
            ),
            Section(
                _("2. Timeline"),
                [
                    Row(_("Breach started"), when(incident.started_at)),
                    Row(_("Breach discovered"), when(incident.detected_at)),
                    Row(_("Became aware"), when(incident.aware_at)),
                    Row(_("Still going on"), yes_no(incident.ongoing)),
                    Row(
                        _("Reason for notifying after 72 hours"),
                        ap.late_reason if ap and ap.late_reason else _("not applicable or not recorded"),
                    ),
                ],
            ),
            Section(
                _("3. About the breach"),
                [
                    Row(_("Summary"), text(incident.description)),
                    Row(_("Nature of the incident"), label(incident.category, Category)),
                    Row(_("What happened to the data"), labels(incident.breach_nature, BreachNature)),
                ],
            ),
            Section(
                _("4. Personal data"),
                [
                    Row(
                        _("Kinds of personal data"),
                        labels(incident.personal_data_categories, PersonalDataCategory),
                    ),
                    Row(_("Special categories involved"), yes_no(special)),
                    Row(_("Number of records (approximately)"), number(incident.records_count)),
                ],
            ),
            Section(
                _("5. People concerned"),
                [
                    Row(_("Number of people (approximately)"), number(incident.data_subjects_count)),
                    Row(_("Groups"), labels(incident.data_subject_groups, DataSubjectGroup)),
                ],
            ),
            Section(
                _("6. Measures before the breach"),
                [
                    Row(
                        _("Data unreadable for others (encrypted, hashed)"),
                        label(incident.data_encrypted, Encryption),
                    ),
                ],
            ),
            Section(
                _("7. Consequences"),
                [
                    Row(
                        _("Risk for the people concerned"),
                        label(incident.personal_data_risk, DataRisk),
                    ),
                    Row(_("What happened to the data"), labels(incident.breach_nature, BreachNature)),
                    Row(_("Systems affected"), text(incident.systems_affected)),
                ],
            ),
            Section(
                _("8. Follow-up"),
                [
                    Row(
                        _("People concerned informed"),
                        (when(informed.met_at) + " · " + label(informed.channel, Channel))
                        if informed
                        else _("not yet"),
                    ),
                    Row(
                        _("Measures to end the breach and limit its consequences"),
                        text(incident.mitigations),
                    ),
                    Row(_("International aspects"), yes_no(incident.cross_border)),
                ],
            ),
            Section(
                _("9. Other"),
                [
                    Row(_("CERT involved"), incident.cert.name if incident.cert_id else _("none")),
                    Row(_("Reference"), incident.reference),
                ],
            ),
        ],
    )
