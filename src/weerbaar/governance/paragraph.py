"""The draft text of an annual-report IBP paragraph, written from the figures in
`selectors.paragraph_facts`, in plain Dutch and in English. No ORM here: the same figures always
give the same text, and a test can read the numbers back.

The paragraph is a document for the annual report, not a screen: it is written in both
languages whatever the reader's language, so its sentences live here as text in two languages
(like a norm's Dutch and English title) rather than in the interface's translation catalogue.
"""

from collections.abc import Sequence
from datetime import date

from weerbaar.governance.choices import Element

ASSESSMENT_KINDS = {
    "self": ("zelfevaluatie", "self-assessment"),
    "internal_audit": ("interne audit", "internal audit"),
    "external_audit": ("externe audit", "external audit"),
    "peer_review": ("peer review", "peer review"),
}
SOC_STATUS = {
    "connected": (
        "is aangesloten op een Security Operations Centre (SOC)",
        "is connected to a Security Operations Centre (SOC)",
    ),
    "planned": (
        "heeft de aansluiting op een Security Operations Centre (SOC) gepland",
        "has planned its connection to a Security Operations Centre (SOC)",
    ),
    "none": (
        "is nog niet aangesloten op een Security Operations Centre (SOC)",
        "is not yet connected to a Security Operations Centre (SOC)",
    ),
}
GROUPS = {
    "board": ("bestuur", "board"),
    "supervisory_board": ("raad van toezicht", "supervisory board"),
    "ibp": ("IBP-team", "IBP team"),
    "it": ("ICT", "IT"),
    "communication": ("communicatie", "communication"),
    "teaching_staff": ("onderwijzend personeel", "teaching staff"),
    "support_staff": ("ondersteunend personeel", "support staff"),
    "students": ("leerlingen en studenten", "pupils and students"),
}
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _pick(language: str, nl: str, en: str) -> str:
    return nl if language == "nl" else en


def number(value: float | None, language: str, decimals: int = 2) -> str:
    """2.84 → '2,84' in Dutch, '2.84' in English."""
    if value is None:
        return "–"
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language == "nl" else text


def signed(value: float, language: str) -> str:
    return ("+" if value > 0 else "") + number(value, language)


def euros(value: float, language: str) -> str:
    """125000 → '€ 125.000' in Dutch, '€125,000' in English (whole euros)."""
    whole = f"{round(value):,}"
    return f"€ {whole.replace(',', '.')}" if language == "nl" else f"€{whole}"


def percent(share: float | None, language: str) -> str:
    if share is None:
        return "–"
    value = round(share * 100, 1)
    text = f"{value:.0f}" if value == int(value) else number(value, language, 1)
    return f"{text}%"


def day(iso: str, language: str) -> str:
    d = date.fromisoformat(iso)
    return (
        f"{d.day} {MONTHS_NL[d.month - 1]} {d.year}"
        if language == "nl"
        else f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    )


def _list(items: Sequence[str], language: str) -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + _pick(language, " en ", " and ") + items[-1]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- one section per element ----------------------------------------------------------------


def _maturity(facts: dict, language: str) -> str:
    m = facts.get("maturity")
    if not m or m.get("overall") is None:
        return _pick(
            language,
            "Er is nog geen afgeronde meting van de volwassenheid van de informatiebeveiliging en privacy.",
            "There is no completed measurement of the maturity of information security and privacy yet.",
        )
    kind_nl, kind_en = ASSESSMENT_KINDS.get(m["kind"], (m["kind"], m["kind"]))
    parts = [
        _pick(
            language,
            f"Bij de laatste meting ({kind_nl} op het normenkader {m['framework']}, afgerond op "
            f"{day(m['finalised_on'], language)}) was de gemiddelde volwassenheid {number(m['overall'], language)} "
            "op een schaal van 1 tot 5.",
            f"At the latest measurement ({kind_en} against the {m['framework']} framework, completed on "
            f"{day(m['finalised_on'], language)}) the mean maturity was {number(m['overall'], language)} "
            "on a scale of 1 to 5.",
        )
    ]
    if m.get("ambition_target") is not None:
        target = number(m["ambition_target"], language, 1)
        deadline = day(m["ambition_deadline"], language)
        meets = m["overall"] >= m["ambition_target"]
        parts.append(
            _pick(
                language,
                f"De sector streeft naar ten minste {target} uiterlijk {deadline}; "
                + ("dat niveau is bereikt." if meets else "dat niveau is nog niet bereikt."),
                f"The sector aims for at least {target} by {deadline}; "
                + ("that level has been reached." if meets else "that level has not been reached yet."),
            )
        )
    if m.get("domains"):
        parts.append(
            _pick(
                language,
                f"{m['domains_at_target']} van de {m['domains']} domeinen zitten op of boven het streefniveau.",
                f"{m['domains_at_target']} of the {m['domains']} domains "
                f"{'is' if m['domains_at_target'] == 1 else 'are'} at or above their target level.",
            )
        )
    if m.get("change") is not None:
        change = m["change"]
        if change > 0:
            trend = _pick(language, "een stijging", "an increase")
        elif change < 0:
            trend = _pick(language, "een daling", "a decrease")
        else:
            trend = _pick(language, "gelijk gebleven", "unchanged")
        parts.append(
            _pick(
                language,
                f"Ten opzichte van de meting daarvoor ({number(m['previous_overall'], language)}) is dat "
                f"{trend} ({signed(change, language)}).",
                f"Compared with the measurement before ({number(m['previous_overall'], language)}) that is "
                f"{trend} ({signed(change, language)}).",
            )
        )
    return " ".join(parts)


def _audit(facts: dict, language: str) -> str:
    a = facts.get("audit") or {}
    last = a.get("last")
    parts = []
    if last is None:
        parts.append(
            _pick(
                language,
                "Er heeft nog geen audit of peer review plaatsgevonden.",
                "No audit or peer review has taken place yet.",
            )
        )
    else:
        kind_nl, kind_en = ASSESSMENT_KINDS.get(last["kind"], (last["kind"], last["kind"]))
        parts.append(
            _pick(
                language,
                f"De laatste {kind_nl} is afgerond op {day(last['finalised_on'], language)}, met een gemiddelde "
                f"volwassenheid van {number(last['overall'], language)}. Daarbij lagen "
                f"{_plural(last['gaps'], 'norm', 'normen')} onder het streefniveau, waarvan "
                f"{last['high_risk']} twee of meer niveaus.",
                f"The last {kind_en} was completed on {day(last['finalised_on'], language)}, with a mean maturity "
                f"of {number(last['overall'], language)}. It found {_plural(last['gaps'], 'norm', 'norms')} below "
                f"the target level, {last['high_risk']} of them by two levels or more.",
            )
        )
        weakest = last.get("weakest_domains") or []
        if weakest:
            names = [
                f"{d['title_nl' if language == 'nl' else 'title_en'] or d['code']} ({number(d['score'], language)})"
                for d in weakest
            ]
            parts.append(
                _pick(
                    language,
                    f"De belangrijkste aandachtspunten liggen bij {_list(names, language)}.",
                    f"The main findings concern {_list(names, language)}.",
                )
            )
    if a.get("policy_applies"):
        if a.get("due") and not a.get("overdue"):
            parts.append(
                _pick(
                    language,
                    f"De volgende audit is uiterlijk {day(a['due'], language)} nodig.",
                    f"The next audit is due by {day(a['due'], language)}.",
                )
            )
        elif a.get("overdue"):
            parts.append(
                _pick(
                    language,
                    "Volgens de afspraken van de sector is een nieuwe audit nu nodig.",
                    "Under the sector's agreements a new audit is now due.",
                )
            )
    return " ".join(parts)


def _improvement(facts: dict, language: str) -> str:
    i = facts.get("improvement") or {}
    if not i.get("total"):
        return _pick(
            language,
            "Er staan nog geen verbeteracties in het verbeterplan.",
            "The improvement plan holds no actions yet.",
        )
    return _pick(
        language,
        f"Het verbeterplan telt {_plural(i['total'], 'actie', 'acties')}: {i['done']} afgerond "
        f"({i['done_in_year']} in {facts['year']}), {i['open']} nog open, waarvan {i['overdue']} over de "
        "afgesproken datum.",
        f"The improvement plan holds {_plural(i['total'], 'action', 'actions')}: {i['done']} completed "
        f"({i['done_in_year']} in {facts['year']}), {i['open']} still open, {i['overdue']} of them past "
        "their due date.",
    )


def _posture(facts: dict, language: str) -> str:
    p = facts.get("posture") or {}
    soc_nl, soc_en = SOC_STATUS.get(p.get("soc_status", "none"), SOC_STATUS["none"])
    name = facts["organisation"]
    parts = [
        _pick(
            language,
            f"Van de {p.get('measures', 0)} basismaatregelen zijn er {p.get('in_place', 0)} volledig en "
            f"{p.get('partial', 0)} gedeeltelijk ingevoerd.",
            f"Of the {p.get('measures', 0)} basic measures, {p.get('in_place', 0)} are fully and "
            f"{p.get('partial', 0)} partly in place.",
        ),
        _pick(language, f"{name} {soc_nl}", f"{name} {soc_en}")
        + (f" ({p['soc_provider']})" if p.get("soc_provider") else "")
        + ".",
    ]
    return " ".join(parts)


def _incidents(facts: dict, language: str, labels: dict[str, str]) -> str:
    inc = facts.get("incidents") or {}
    total = inc.get("total", 0)
    if not total:
        return _pick(
            language,
            f"In {facts['year']} zijn geen beveiligingsincidenten gemeld.",
            f"No security incidents were reported in {facts['year']}.",
        )
    parts = [
        f"{labels.get(key, key)}: {n}" for key, n in sorted(inc["by_category"].items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return _pick(
        language,
        f"In {facts['year']} zijn {_plural(total, 'beveiligingsincident', 'beveiligingsincidenten')} gemeld "
        f"({'; '.join(parts)}), waarvan {inc.get('serious', 0)} ernstig en {inc.get('personal_data', 0)} met "
        "persoonsgegevens.",
        f"In {facts['year']}, {_plural(total, 'security incident was', 'security incidents were')} reported "
        f"({'; '.join(parts)}), {inc.get('serious', 0)} of them serious and {inc.get('personal_data', 0)} "
        "involving personal data.",
    )


def _awareness(facts: dict, language: str) -> str:
    a = facts.get("awareness")
    if a is None:
        return _pick(
            language, "Gegevens over bewustwording zijn niet beschikbaar.", "No awareness figures are available."
        )
    campaigns, trainings, simulations = a["campaigns"] or 0, a["trainings"] or 0, a["phishing_simulations"] or 0
    parts = [
        _pick(
            language,
            f"In {facts['year']} waren er {_plural(campaigns, 'bewustwordingscampagne', 'bewustwordingscampagnes')}, "
            f"{_plural(trainings, 'training', 'trainingen')} en "
            f"{_plural(simulations, 'phishingsimulatie', 'phishingsimulaties')}.",
            f"In {facts['year']} there {'was' if campaigns == 1 else 'were'} "
            f"{_plural(campaigns, 'awareness campaign', 'awareness campaigns')}, "
            f"{_plural(trainings, 'training', 'trainings')} and "
            f"{_plural(simulations, 'phishing simulation', 'phishing simulations')}.",
        )
    ]
    if a.get("phishing_report_rate") is not None:
        parts.append(
            _pick(
                language,
                f"Van de ontvangers van een phishingtest meldde {percent(a['phishing_report_rate'], language)} "
                "de mail.",
                f"Of the recipients of a phishing test, {percent(a['phishing_report_rate'], language)} reported "
                "the e-mail.",
            )
        )
    if a.get("participation_rate") is not None:
        parts.append(
            _pick(
                language,
                f"De deelname aan activiteiten was {percent(a['participation_rate'], language)}.",
                f"Participation in activities was {percent(a['participation_rate'], language)}.",
            )
        )
    exercises = a.get("exercises") or 0
    if exercises:
        groups = [GROUPS.get(g, (g, g))[0 if language == "nl" else 1] for g in a.get("groups_exercised") or []]
        parts.append(
            _pick(
                language,
                f"Er {'is' if exercises == 1 else 'zijn'} "
                f"{_plural(exercises, 'crisisoefening', 'crisisoefeningen')} gehouden"
                + (f", met deelname van {_list(groups, language)}." if groups else "."),
                f"{_plural(exercises, 'crisis exercise was', 'crisis exercises were')} held"
                + (f", with {_list(groups, language)} taking part." if groups else "."),
            )
        )
    elif a.get("last_exercise_date"):
        parts.append(
            _pick(
                language,
                f"De laatste crisisoefening was op {day(a['last_exercise_date'], language)}.",
                f"The last crisis exercise was held on {day(a['last_exercise_date'], language)}.",
            )
        )
    else:
        parts.append(
            _pick(language, "Er is nog geen crisisoefening gehouden.", "No crisis exercise has been held yet.")
        )
    return " ".join(parts)


DPIAS_NL = "DPIA's"


def _dpias(facts: dict, language: str) -> str:
    d = facts.get("dpias")
    if d is None:
        return _pick(language, "Gegevens over DPIA's zijn niet beschikbaar.", "No DPIA figures are available.")
    total = d.get("total", 0) or 0
    if not total:
        return _pick(
            language,
            "Er is nog geen DPIA (gegevensbeschermingseffectbeoordeling) vastgelegd.",
            "No DPIA (data protection impact assessment) has been recorded yet.",
        )
    completed, current, high = d.get("completed", 0) or 0, d.get("current", 0) or 0, d.get("high_risk", 0) or 0
    return _pick(
        language,
        f"Er {'is' if total == 1 else 'zijn'} {_plural(total, 'DPIA', DPIAS_NL)} vastgelegd; {completed} "
        f"{'is' if completed == 1 else 'zijn'} door het bestuur vastgesteld, waarvan {current} actueel. "
        f"Bij {high} blijft na maatregelen een hoog risico over.",
        f"{_plural(total, 'DPIA is', 'DPIAs are')} on record; {completed} accepted by the board, {current} of "
        f"them current. {high} still {'has' if high == 1 else 'have'} a high risk after measures.",
    )


def _budget(facts: dict, language: str) -> str:
    b = facts.get("budget")
    if b is None:
        return _pick(
            language,
            f"Voor {facts['year']} is geen budget voor informatiebeveiliging en privacy vastgelegd.",
            f"No budget for information security and privacy has been recorded for {facts['year']}.",
        )
    parts = [
        _pick(
            language,
            f"Het budget voor informatiebeveiliging en privacy in {facts['year']} was "
            f"{euros(b['security_budget'], language)}"
            + (f", {percent(b['ict_share'], language)} van het ICT-budget" if b.get("ict_share") is not None else "")
            + (f" en {euros(b['per_student'], language)} per leerling of student" if b.get("per_student") else "")
            + ".",
            f"The budget for information security and privacy in {facts['year']} was "
            f"{euros(b['security_budget'], language)}"
            + (f", {percent(b['ict_share'], language)} of the ICT budget" if b.get("ict_share") is not None else "")
            + (f" and {euros(b['per_student'], language)} per pupil or student" if b.get("per_student") else "")
            + ".",
        ),
        _pick(
            language,
            f"Daarvoor is {number(b['ibp_officer_fte'], language, 1)} fte IBP-coördinator, "
            f"{number(b['dpo_fte'], language, 1)} fte functionaris gegevensbescherming, "
            f"{number(b['security_engineer_fte'], language, 1)} fte security engineers en "
            f"{number(b['external_fte'], language, 1)} fte externe diensten"
            + (f" ({b['external_services']})" if b.get("external_services") else "")
            + " beschikbaar.",
            f"It pays for {number(b['ibp_officer_fte'], language, 1)} FTE IBP officer, "
            f"{number(b['dpo_fte'], language, 1)} FTE data protection officer, "
            f"{number(b['security_engineer_fte'], language, 1)} FTE security engineers and "
            f"{number(b['external_fte'], language, 1)} FTE external services"
            + (f" ({b['external_services']})" if b.get("external_services") else "")
            + ".",
        ),
    ]
    return " ".join(parts)


HEADINGS = {
    Element.MATURITY: ("Volwassenheid", "Maturity"),
    Element.AUDIT: ("Audit", "Audit"),
    Element.IMPROVEMENT: ("Verbeterplan", "Improvement plan"),
    Element.POSTURE: ("Basismaatregelen en SOC", "Basic measures and SOC"),
    Element.INCIDENTS: ("Incidenten", "Incidents"),
    Element.AWARENESS: ("Bewustwording en oefenen", "Awareness and exercises"),
    Element.DPIAS: ("DPIA's", "DPIAs"),
    Element.BUDGET: ("Budget en bezetting", "Budget and staffing"),
}


def compose(facts: dict, elements: Sequence[str], language: str, category_labels: dict[str, str]) -> str:
    """The paragraph in one language: an opening line and one short section per element, in the
    order of the elements list. `category_labels` names the incident kinds in that language."""
    opening = _pick(
        language,
        f"Informatiebeveiliging en privacy (IBP) in {facts['year']}. {facts['organisation']} geeft in dit "
        "jaarverslag expliciet aandacht aan informatiebeveiliging en privacy. De cijfers komen uit het "
        "platform Weerbaar.",
        f"Information security and privacy (IBP) in {facts['year']}. In this annual report "
        f"{facts['organisation']} gives explicit attention to information security and privacy. The "
        "figures come from the Weerbaar platform.",
    )
    writers = {
        Element.MATURITY: lambda: _maturity(facts, language),
        Element.AUDIT: lambda: _audit(facts, language),
        Element.IMPROVEMENT: lambda: _improvement(facts, language),
        Element.POSTURE: lambda: _posture(facts, language),
        Element.INCIDENTS: lambda: _incidents(facts, language, category_labels),
        Element.AWARENESS: lambda: _awareness(facts, language),
        Element.DPIAS: lambda: _dpias(facts, language),
        Element.BUDGET: lambda: _budget(facts, language),
    }
    sections = [opening]
    for element in elements:
        if element in writers:
            heading = HEADINGS[element][0 if language == "nl" else 1]
            sections.append(f"{heading}\n{writers[element]()}")
    return "\n\n".join(sections)
