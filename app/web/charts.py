"""Server-rendered SVG charts: readable without JavaScript, accessible, not colour-only.

A chart is an image (`role="img"`) named by its `<title>` and described by its `<desc>`; the page must also
offer the same figures as text (a table or list), which is the real alternative for screen readers.
Marked bars (e.g. winners) differ by a hatched pattern, an outline and a text mark, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

# A viewBox about as wide as a phone, so the 15px text stays readable there; wider screens scale it up to
# the width wijkbudget.css gives `.chart` (no style attribute: the CSP forbids inline styles).
WIDTH = 400
FONT_SIZE = 15
LABEL_HEIGHT = 20
BAR_HEIGHT = 22
ROW_GAP = 12
VALUE_SPACE = 125  # room right of the longest bar for its value text ("1.234 stemmen")
MAX_LABEL_CHARS = 40  # bold 15px text at about 9.5px a character fits the 400 viewBox
MARKED_COLOUR = "#1d6b2f"  # 6.6:1 against white
PLAIN_COLOUR = "#6b6b6b"  # 5.3:1 against white
INK = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, the text shown next to it, and whether it is marked (e.g. a winner)."""

    label: str
    value: int
    value_text: str
    marked: bool = False


def horizontal_bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, description: str, mark_text: str
) -> Markup:
    """Render bars as an inline SVG, one row per bar: the label above, the bar with its value text beside it.

    `mark_text` (e.g. "✓ chosen") is appended to the label of every marked bar, and marked bars are hatched.
    All text is escaped (Markup.format). The SVG scales to the width of its container (phone first).
    """
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = max(row * len(bars), row)
    peak = max((bar.value for bar in bars), default=0)
    scale = (WIDTH - VALUE_SPACE) / peak if peak > 0 else 0.0
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" focusable="false" '
        'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-title {id}-desc" font-family="system-ui, sans-serif" font-size="{font}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        '<defs><pattern id="{id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="{marked}"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#ffffff" stroke-width="3"/></pattern></defs>'
    ).format(
        width=WIDTH,
        height=height,
        font=FONT_SIZE,
        id=chart_id,
        title=title,
        description=description,
        marked=MARKED_COLOUR,
    )
    rows = [_bar_row(bar, index * row, scale, chart_id, mark_text) for index, bar in enumerate(bars)]
    return head + Markup("").join(rows) + Markup("</svg>")


def _bar_row(bar: Bar, top: int, scale: float, chart_id: str, mark_text: str) -> Markup:
    if bar.marked:
        label = f"{_shorten(bar.label, MAX_LABEL_CHARS - len(mark_text) - 1)} {mark_text}"
    else:
        label = _shorten(bar.label, MAX_LABEL_CHARS)
    width = max(bar.value * scale, 2.0)  # a zero still shows as a thin line
    bar_top = top + LABEL_HEIGHT
    if bar.marked:
        fill = Markup('fill="url(#{id}-hatch)" stroke="{colour}" stroke-width="2"').format(
            id=chart_id, colour=MARKED_COLOUR
        )
        weight = Markup(' font-weight="700"')
    else:
        fill = Markup('fill="{colour}"').format(colour=PLAIN_COLOUR)
        weight = Markup("")
    return Markup(
        '<g><text x="0" y="{label_y}" fill="{ink}"{weight}>{label}</text>'
        '<rect x="1" y="{bar_top}" width="{width:.1f}" height="{bar_height}" {fill}/>'
        '<text x="{value_x:.1f}" y="{value_y}" fill="{ink}">{value}</text></g>'
    ).format(
        label_y=top + 15,
        ink=INK,
        weight=weight,
        label=label,
        bar_top=bar_top,
        width=width,
        bar_height=BAR_HEIGHT,
        fill=fill,
        value_x=width + 8,
        value_y=bar_top + 16,
        value=bar.value_text,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
