"""The sector picture as people read it: the dashboard, the spring sector picture, the autumn
progress report, their PDF and the XLSX export of every aggregate shown.

Everything here is built from anonymised aggregates only (precomputed cycle cells, coverage
counts, shares): no function in this module reads one organisation's scores. Charts are drawn as
SVG on the server, with a title and a description, and each chart has a data table beside it.
"""

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weerbaar.monitor import selectors
from weerbaar.monitor.choices import SocStatus
from weerbaar.monitor.forecast import AT_RISK_MARGIN, Outlook
from weerbaar.monitor.models import Ambition, Cycle
from weerbaar.organisations.choices import SectorCode
from weerbaar.reports.pdf import render_pdf  # noqa: F401 -- the monitor report views render through this module

TARGET = 3.0
# An en dash for "no value" and a true minus sign for a decrease, as typeset text.
NO_VALUE = "\u2013"
MINUS = "\u2212"
LEVELS = (1, 2, 3, 4, 5)
# Fills of the charts, from the design tokens (primary, ok, warning, neutral): presentation
# attributes, since the Content-Security-Policy refuses style attributes.
PRIMARY = "#163d6b"
MUTED = "#4a5563"
GRID = "#c9d1db"
TARGET_LINE = "#9a5b00"
# The target line has its own colour; no series uses it.
SERIES = ("#163d6b", "#1e7b34", "#8a1c14", "#5b2a86", "#4a5563", "#0f2c4f")
SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
)
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "4 4")


def active_text(nl: str, en: str) -> str:
    return en if (get_language() or "nl")[:2] == "en" and en else nl


def group_label(group: str) -> str:
    if group == "all":
        return _("All sectors of the cycle")
    try:
        return str(SectorCode(group).label)
    except ValueError:
        return group


def number(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return NO_VALUE
    # number_format cuts digits off; round first so 4.458 reads 4.46.
    return number_format(round(value, decimals), decimal_pos=decimals)


def percentage(share: float | None) -> str:
    if share is None:
        return NO_VALUE
    return f"{number_format(round(share * 100), decimal_pos=0)} %"


def signed(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"{MINUS}{text}" if value < 0 else text)


@dataclass
class CellRow:
    """One published or suppressed cell, ready to show."""

    group: str
    column: str
    column_label: str
    suppressed: bool
    count: int | None = None
    mean: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    distribution: list[int] = field(default_factory=list)
    share_at_target: float | None = None
    change: float | None = None

    @property
    def distribution_text(self) -> str:
        return " · ".join(f"{level}: {n}" for level, n in zip(LEVELS, self.distribution, strict=False))


@dataclass
class GroupTable:
    group: str
    label: str
    rows: list[CellRow]
    chart: SafeString


@dataclass
class SectorPicture:
    """All aggregates of one cycle that one reader may see."""

    cycle: Cycle
    groups: list[str]
    sector_codes: list[str]
    tables: list[GroupTable]
    on_track: list[dict]
    measures: list[dict]
    soc: dict
    audits: list[dict]
    trend: list[dict]
    trend_chart: SafeString
    min_group: int = 5
    # As `awareness.selectors.sector_figures` and `governance.selectors.sector_figures` give them.
    awareness: list[dict] = field(default_factory=list)
    governance: object = None

    @property
    def has_cells(self) -> bool:
        return any(table.rows for table in self.tables)

    @property
    def levels(self) -> tuple[int, ...]:
        return LEVELS

    @property
    def soc_statuses(self) -> list[tuple[str, int]]:
        if self.soc.get("suppressed"):
            return []
        labels = dict(SocStatus.choices)
        return [(str(labels[status]), count) for status, count in self.soc["statuses"].items()]


def sector_picture(user, cycle: Cycle) -> SectorPicture:
    """The anonymised picture of a cycle for `user`: only the fixed groups within the user's
    reach (the cycle total and each sector), each cell published or marked suppressed."""
    groups = selectors.visible_groups(user, cycle)
    domains = list(cycle.framework_version.domains.order_by("position"))
    labels = {"overall": _("Overall"), **{d.code: f"{d.code} {d.title}" for d in domains}}
    order = ["overall", *[d.code for d in domains]]
    cells = {(c.group, c.column): c for c in selectors.cycle_aggregates(cycle) if c.group in groups}
    tables = []
    for group in groups:
        rows = []
        for column in order:
            cell = cells.get((group, column))
            if cell is None:
                continue
            distribution = (
                [int(cell.distribution.get(str(level), 0)) for level in LEVELS] if not cell.suppressed else []
            )
            rows.append(
                CellRow(
                    group=group,
                    column=column,
                    column_label=labels[column],
                    suppressed=cell.suppressed,
                    count=cell.count,
                    mean=cell.mean,
                    median=cell.median,
                    q1=cell.q1,
                    q3=cell.q3,
                    distribution=distribution,
                    share_at_target=cell.share_at_target,
                    change=cell.change,
                )
            )
        # A group whose every cell is suppressed gets no chart: it would be a picture of nothing.
        chart = (
            SafeString("")
            if all(row.suppressed for row in rows)
            else bar_chart(
                _("Mean maturity per domain: %(group)s") % {"group": group_label(group)},
                [(row.column_label, None if row.suppressed else row.mean) for row in rows],
                chart_id=f"chart-{group}",
            )
        )
        tables.append(GroupTable(group=group, label=group_label(group), rows=rows, chart=chart))
    sector_codes = [g for g in groups if g != "all"]
    sectors = {s.code: s for s in cycle.sectors.all()}
    # Everything besides the cells is precomputed too (`SectorFigures`): the page reads stored
    # rows in a few queries whatever the number of organisations.
    figures = selectors.stored_sector_figures(cycle, sector_codes)
    ambitions = {a.sector_id: a for a in Ambition.objects.filter(sector__code__in=sector_codes)}
    on_track = [
        {
            "sector": code,
            "label": group_label(code),
            "ambition": ambitions.get(sectors[code].pk),
            "share": figures["on_track"].get(code),
        }
        for code in sector_codes
    ]
    trend = selectors.group_trend(cycle, groups)
    measures = figures["measures"]
    for row in measures:
        row["title"] = active_text(row["measure"].title_nl, row["measure"].title_en)
    return SectorPicture(
        cycle=cycle,
        groups=groups,
        sector_codes=sector_codes,
        tables=tables,
        on_track=on_track,
        measures=measures,
        soc=figures["soc"],
        audits=figures["audits"],
        awareness=figures["awareness"],
        governance=figures["governance"],
        trend=trend,
        trend_chart=trend_chart(trend, groups),
        min_group=settings.BENCHMARK_MIN_GROUP,
    )


# --- forecast -------------------------------------------------------------------------------

OUTLOOK_LABELS = {
    Outlook.ON_TRACK: ("ok", "On track"),
    Outlook.AT_RISK: ("warning", "At risk"),
    Outlook.OFF_TRACK: ("danger", "Off track"),
    Outlook.UNKNOWN: ("neutral", "Unknown"),
}


def outlook_label(outlook) -> tuple[str, str]:
    tone, label = OUTLOOK_LABELS[Outlook(outlook)]
    return tone, {
        "On track": _("On track"),
        "At risk": _("At risk"),
        "Off track": _("Off track"),
        "Unknown": _("Unknown"),
    }[label]


def forecast_sentence(forecast, ambition) -> str:
    """The forecast's reasoning as a sentence (the reason codes of weerbaar.monitor.forecast)."""
    values = {
        "latest": number(forecast.latest),
        "target": number(ambition.target, 1),
        "deadline": ambition.deadline.strftime("%d-%m-%Y"),
        "points": forecast.points,
        "slope": signed(forecast.slope_per_year),
        "expected": number(forecast.expected_at_deadline),
        "margin": number(AT_RISK_MARGIN, 1),
    }
    sentences = {
        "no_history": _("There is no final assessment yet, so there is nothing to base a forecast on."),
        "already_there": _(
            "The last overall score, %(latest)s, already meets the ambition of %(target)s set for %(deadline)s."
        ),
        "deadline_passed": _(
            "The deadline of %(deadline)s has passed and the last overall score, %(latest)s, "
            "is below the ambition of %(target)s."
        ),
        "one_measurement": _(
            "There is one final assessment so far (%(latest)s), below the ambition of "
            "%(target)s. A trend needs at least two."
        ),
        "trend_reaches": _(
            "Over %(points)s final assessments the overall score changes by %(slope)s a year. "
            "At that pace it is about "
            "%(expected)s on %(deadline)s, which meets the ambition of %(target)s."
        ),
        "trend_close": _(
            "Over %(points)s final assessments the overall score changes by %(slope)s a year. "
            "At that pace it is about %(expected)s on %(deadline)s: "
            "less than %(margin)s short of the ambition of %(target)s."
        ),
        "trend_short": _(
            "Over %(points)s final assessments the overall score changes by %(slope)s a year. "
            "At that pace it is about "
            "%(expected)s on %(deadline)s, clearly short of the ambition of %(target)s."
        ),
    }
    return sentences.get(forecast.reason, "") % values


# --- charts ---------------------------------------------------------------------------------


def _truncate(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, bars: list[tuple[str, float | None]], chart_id: str, target: float = TARGET) -> SafeString:
    """Horizontal bars of means on the scale 0 to 5 with the target level marked. A bar without a
    value is a suppressed cell and says so, rather than showing nothing or zero."""
    label_width, plot_width, row_height, top = 230, 360, 22, 8
    width = label_width + plot_width + 60
    height = top + row_height * max(1, len(bars)) + 34

    def x(value: float) -> float:
        return label_width + plot_width * value / 5

    parts = []
    for level in range(6):
        parts.append(
            format_html(
                '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="1"/>'
                '<text x="{0}" y="{4}" font-size="11" text-anchor="middle" fill="{5}">{6}</text>',
                f"{x(level):.1f}",
                top,
                top + row_height * len(bars),
                GRID,
                top + row_height * len(bars) + 14,
                MUTED,
                level,
            )
        )
    shown = []
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1b2430">{}</text>',
                label_width - 8,
                f"{y + 15:.1f}",
                _truncate(label),
            )
        )
        if value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" font-style="italic" fill="{}">{}</text>',
                    label_width + 4,
                    f"{y + 15:.1f}",
                    MUTED,
                    _("suppressed (too few participants)"),
                )
            )
            shown.append(_("%(label)s suppressed") % {"label": label})
            continue
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="#1b2430">{}</text>',
                label_width,
                y + 4,
                f"{max(1.0, x(value) - label_width):.1f}",
                row_height - 8,
                PRIMARY,
                f"{x(value) + 4:.1f}",
                f"{y + 15:.1f}",
                number(value),
            )
        )
        shown.append(f"{label} {number(value)}")
    parts.append(
        format_html(
            '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="2" '
            'stroke-dasharray="5 3"/>'
            '<text x="{0}" y="{4}" font-size="11" text-anchor="middle" fill="{3}">{5}</text>',
            f"{x(target):.1f}",
            top - 2,
            top + row_height * len(bars),
            TARGET_LINE,
            height - 4,
            _("target level %(level)s") % {"level": number(target, 0)},
        )
    )
    description = _("Scale 0 to 5, target level %(level)s. ") % {"level": number(target, 0)} + "; ".join(shown)
    return format_html(
        SVG_OPEN + 'aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=mark_safe("".join(parts)),  # noqa: S308 -- parts are built with format_html
    )


def trend_chart(trend: list[dict], groups: list[str]) -> SafeString:
    """The overall mean per group over the cycles, one line per group (each with its own dash
    pattern, so colour is not the only difference)."""
    if len(trend) < 1 or not groups:
        return SafeString("")
    left, plot_width, plot_height, top = 84, 420, 200, 12
    legend_width = 230
    width = left + plot_width + legend_width
    height = top + plot_height + 50
    step = plot_width / max(1, len(trend) - 1) if len(trend) > 1 else 0

    def px(index: int) -> float:
        return left + (index * step if len(trend) > 1 else plot_width / 2)

    def py(value: float) -> float:
        return top + plot_height * (1 - value / 5)

    parts = []
    for level in range(6):
        parts.append(
            format_html(
                '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}" stroke-width="1"/>'
                '<text x="{4}" y="{5}" font-size="11" text-anchor="end" fill="{6}">{7}</text>',
                left,
                left + plot_width,
                f"{py(level):.1f}",
                GRID,
                left - 6,
                f"{py(level) + 4:.1f}",
                MUTED,
                level,
            )
        )
    parts.append(
        format_html(
            '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}" stroke-width="2" stroke-dasharray="5 3"/>',
            left,
            left + plot_width,
            f"{py(TARGET):.1f}",
            TARGET_LINE,
        )
    )
    for index, point in enumerate(trend):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                f"{px(index):.1f}",
                top + plot_height + 18,
                MUTED,
                _truncate(point["cycle"].name, 22),
            )
        )
    described = []
    for g_index, group in enumerate(groups):
        colour, dash = SERIES[g_index % len(SERIES)], DASHES[g_index % len(DASHES)]
        points = []
        values = []
        for index, point in enumerate(trend):
            cell = dict(point["cells"]).get(group)
            if cell is None or cell.suppressed or cell.mean is None:
                values.append(_("suppressed") if cell is not None else NO_VALUE)
                continue
            points.append((px(index), py(cell.mean)))
            values.append(number(cell.mean))
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>',
                    " ".join(f"{a:.1f},{b:.1f}" for a, b in points),
                    colour,
                    format_html(' stroke-dasharray="{}"', dash) if dash else "",
                )
            )
        for a, b in points:
            parts.append(format_html('<circle cx="{}" cy="{}" r="4" fill="{}"/>', f"{a:.1f}", f"{b:.1f}", colour))
        legend_y = top + 10 + g_index * 20
        parts.append(
            format_html(
                '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}" stroke-width="2.5"{4}/>'
                '<text x="{5}" y="{6}" font-size="12" fill="#1b2430">{7}</text>',
                left + plot_width + 16,
                left + plot_width + 44,
                legend_y,
                colour,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
                left + plot_width + 50,
                legend_y + 4,
                _truncate(group_label(group), 28),
            )
        )
        described.append(f"{group_label(group)}: {', '.join(values)}")
    title = _("Mean overall maturity per cycle")
    description = _("Scale 0 to 5, target level 3. ") + "; ".join(described)
    return format_html(
        SVG_OPEN + 'aria-labelledby="trend-title trend-desc"><title id="trend-title">{title}</title>'
        '<desc id="trend-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        title=title,
        desc=description,
        body=mark_safe("".join(parts)),  # noqa: S308 -- parts are built with format_html
    )


# --- PDF ------------------------------------------------------------------------------------


# --- XLSX -----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """A value as a spreadsheet cell that is never read as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _round(value: float | None, digits: int = 4):
    return None if value is None else round(value, digits)


def workbook(picture: SectorPicture) -> bytes:
    """Every aggregate of the picture, one sheet per table, suppressed cells marked as such."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    suppressed = _("suppressed (too few participants)")

    def sheet(title: str, headers: list[str], rows: list[list]):
        ws = book.create_sheet(title=title[:31])
        ws.append([safe_cell(h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        ws.freeze_panes = "A2"
        return ws

    book.remove(book.active)
    cycle = picture.cycle
    sheet(
        _("Cycle"),
        [_("Field"), _("Value")],
        [
            [_("Cycle"), cycle.name],
            [_("Kind"), str(cycle.get_kind_display())],
            [
                _("Framework"),
                f"{cycle.framework_version.framework.code} {cycle.framework_version.label}",
            ],
            [_("Opens on"), cycle.opens_on],
            [_("Closes on"), cycle.closes_on],
            [
                _("Minimum group"),
                _("at least %(n)d organisations besides the reader") % {"n": picture.min_group},
            ],
        ],
    )
    rows = []
    for table in picture.tables:
        for row in table.rows:
            if row.suppressed:
                rows.append([table.label, row.column_label, suppressed])
                continue
            rows.append(
                [
                    table.label,
                    row.column_label,
                    "",
                    row.count,
                    _round(row.mean),
                    _round(row.median),
                    _round(row.q1),
                    _round(row.q3),
                    *row.distribution,
                    _round(row.share_at_target),
                    _round(row.change),
                ]
            )
    sheet(
        _("Benchmark"),
        [
            _("Group"),
            _("Column"),
            _("Suppressed"),
            _("Participants"),
            _("Mean"),
            _("Median"),
            _("First quartile"),
            _("Third quartile"),
            *[_("Level %(level)d") % {"level": level} for level in LEVELS],
            _("Share at or above target"),
            _("Change against previous cycle"),
        ],
        rows,
    )
    sheet(
        _("Ambition"),
        [
            _("Sector"),
            _("Target"),
            _("Deadline"),
            _("Organisations counted"),
            _("Share at or above the ambition"),
        ],
        [
            [
                item["label"],
                item["ambition"].target if item["ambition"] else None,
                item["ambition"].deadline if item["ambition"] else None,
                *(
                    (suppressed, None)
                    if not item["share"] or item["share"].get("suppressed")
                    else (item["share"]["count"], _round(item["share"]["share"]))
                ),
            ]
            for item in picture.on_track
        ],
    )
    sheet(
        _("Basic measures"),
        [_("Measure"), _("Organisations"), _("In place"), _("Share in place")],
        [
            [
                m["title"],
                *(
                    (suppressed, None, None)
                    if m["suppressed"]
                    else (m["population"], m["in_place"], _round(m["share"]))
                ),
            ]
            for m in picture.measures
        ],
    )
    soc = picture.soc
    if soc.get("suppressed"):
        sheet(_("SOC"), [_("Status"), _("Organisations")], [[suppressed, None]])
    else:
        labels = dict(SocStatus.choices)
        sheet(
            _("SOC"),
            [_("Status"), _("Organisations")],
            [[str(labels[s]), n] for s, n in soc["statuses"].items()],
        )
        sheet(
            _("SOC calendar"),
            [_("Month"), _("Planned connections")],
            [[month, n] for month, n in soc["calendar"]],
        )
    sheet(
        _("Audits"),
        [
            _("Sector"),
            _("At least every (months)"),
            _("Organisations"),
            _("Audited in time"),
            _("Overdue"),
            _("Never audited"),
        ],
        [
            [
                group_label(a["sector"].code),
                a["interval_months"],
                *(
                    (suppressed, None, None, None)
                    if a["suppressed"]
                    else (a["organisations"], a["covered"], a["overdue"], a["never_audited"])
                ),
            ]
            for a in picture.audits
        ],
    )
    sheet(
        _("Trend"),
        [_("Cycle"), *[group_label(g) for g in picture.groups]],
        [
            [
                point["cycle"].name,
                *[
                    (suppressed if cell.suppressed else _round(cell.mean)) if cell is not None else None
                    for _group, cell in point["cells"]
                ],
            ]
            for point in picture.trend
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
