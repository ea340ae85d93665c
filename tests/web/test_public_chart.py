"""The server-rendered SVG bar chart: accessible, escaped, winners not told apart by colour alone."""

from __future__ import annotations

from app.web.charts import Bar, horizontal_bar_chart


def _chart(*bars: Bar) -> str:
    return str(
        horizontal_bar_chart(
            bars, chart_id="votes-1", title="Votes <per> project", description="D", mark_text="✓ won"
        )
    )


def test_chart_is_a_named_image_with_a_description() -> None:
    svg = _chart(Bar("Speeltuin", 40, "40 votes", marked=True), Bar("Bankjes", 10, "10 votes"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert 'aria-labelledby="votes-1-title votes-1-desc"' in svg
    assert '<title id="votes-1-title">Votes &lt;per&gt; project</title>' in svg


def test_marked_bars_have_a_pattern_and_a_text_mark() -> None:
    svg = _chart(Bar("Speeltuin", 40, "40 votes", marked=True), Bar("Bankjes", 10, "10 votes"))
    assert svg.count('fill="url(#votes-1-hatch)"') == 1
    assert "Speeltuin ✓ won</text>" in svg
    assert "Bankjes</text>" in svg
    assert "40 votes</text>" in svg and "10 votes</text>" in svg


def test_labels_are_escaped_and_long_ones_shortened() -> None:
    svg = _chart(Bar("<script>alert(1)</script>" + "x" * 100, 3, "3 votes"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "…" in svg


def test_no_votes_at_all_still_renders() -> None:
    svg = _chart(Bar("A", 0, "0 votes"), Bar("B", 0, "0 votes"))
    assert svg.count("<rect x=") == 2
    assert _chart().startswith("<svg")
