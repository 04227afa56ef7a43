"""The results chart: one horizontal bar per domain on the maturity scale 0 to 5, with the domain's
target marked on its own row. Server-rendered SVG, so it needs no script; colours are
presentation attributes because the Content-Security-Policy refuses style attributes. The page
shows the same figures as a table, which is the chart's text alternative."""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

NO_SCORE = "\u2013"
# From the design tokens: primary, warning (below target), text, muted, grid.
BAR = "#163d6b"
BAR_BELOW = "#9a5b00"
TEXT = "#1b2430"
MUTED = "#4a5563"
GRID = "#c9d1db"
TARGET = "#8a1c14"


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None
    target: int


def one_decimal(value: float | None) -> str:
    if value is None:
        return NO_SCORE
    return number_format(round(value, 1), decimal_pos=1)


def _truncate(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def domain_chart(bars: list[Bar], chart_id: str, title: str) -> SafeString:
    label_width, plot_width, row, top = 250, 400, 30, 10
    width = label_width + plot_width + 50
    rows = max(1, len(bars))
    bottom = top + row * rows
    height = bottom + 46

    def x(value: float) -> float:
        return label_width + plot_width * value / 5

    axis = format_html_join(
        "",
        '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="1"/>'
        '<text x="{0}" y="{4}" font-size="12" text-anchor="middle" fill="{5}">{6}</text>',
        ((f"{x(level):.1f}", top, bottom, GRID, bottom + 16, MUTED, level) for level in range(6)),
    )
    parts = [axis]
    values = []  # drawn last, over the target lines
    described = []
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="end" fill="{}">{}</text>',
                label_width - 10,
                f"{y + 19:.1f}",
                TEXT,
                _truncate(bar.label),
            )
        )
        if bar.score is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" font-style="italic" fill="{}">{}</text>',
                    label_width + 6,
                    f"{y + 19:.1f}",
                    MUTED,
                    _("no score yet"),
                )
            )
            described.append(_("%(domain)s: no score, target %(target)s") % {"domain": bar.label, "target": bar.target})
        else:
            below = bar.score < bar.target
            # The figure goes after the bar, or after the target line when it would touch it.
            label_x = x(bar.score) + 6
            if below and x(bar.target) - x(bar.score) < 34:
                label_x = x(bar.target) + 6
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    label_width,
                    y + 6,
                    f"{max(1.0, x(bar.score) - label_width):.1f}",
                    row - 12,
                    BAR_BELOW if below else BAR,
                )
            )
            values.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="{}" '
                    'stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>',
                    f"{label_x:.1f}",
                    f"{y + 19:.1f}",
                    TEXT,
                    one_decimal(bar.score),
                )
            )
            described.append(
                _("%(domain)s: %(score)s, target %(target)s")
                % {"domain": bar.label, "score": one_decimal(bar.score), "target": bar.target}
            )
        # The target of this domain: a short thick line across its own row.
        parts.append(
            format_html(
                '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="3"/>',
                f"{x(bar.target):.1f}",
                y + 2,
                y + row - 2,
                TARGET,
            )
        )
    parts.extend(values)
    parts.append(
        format_html(
            '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="3"/>'
            '<text x="{4}" y="{5}" font-size="12" fill="{6}">{7}</text>',
            label_width + 4,
            height - 16,
            height - 2,
            TARGET,
            label_width + 14,
            height - 4,
            TEXT,
            _("target level of the domain"),
        )
    )
    description = _("Maturity per domain on a scale of 0 to 5. ") + "; ".join(described)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="results-chart" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=SafeString("".join(parts)),
    )
