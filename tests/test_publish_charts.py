"""The SVG share charts: segment widths follow the table's shares, every text is escaped."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from pipeline.publish import charts
from pipeline.publish.content import Bar, Chart

NS = {"svg": "http://www.w3.org/2000/svg"}
GRADES = (("A", "着実に進捗した"), ("B", "概ね進捗した"), ("C", "進捗が遅れている"))


def _chart(*bars: Bar, title: str = "評価区分の割合") -> ElementTree.Element:
    return ElementTree.fromstring(charts.svg(Chart(title, bars, GRADES), "c"))


@st.composite
def shares(draw: st.DrawFn) -> tuple[Decimal | None, ...]:
    counts = draw(st.lists(st.integers(0, 200), min_size=3, max_size=3))
    total = sum(counts)
    if total == 0:
        return (None, None, None)
    return tuple(Decimal(100 * c / total).quantize(Decimal("0.1")) for c in counts)


@given(shares())
def test_segments_are_as_wide_as_the_shares(row: tuple[Decimal | None, ...]) -> None:
    svg = _chart(Bar("全体", row, (0, 0, 0), 1, 1))
    rects = list(svg.iterfind("svg:rect", NS))
    widths = [Decimal(r.get("width", "0%").rstrip("%")) for r in rects]
    assert widths == [s for s in row if s]  # percent of the chart's width, as in the table
    starts = [Decimal(r.get("x", "0%").rstrip("%")) for r in rects]
    assert starts == [sum(widths[:i], Decimal(0)) for i in range(len(widths))]  # side by side
    if all(s is None for s in row):
        assert "評価済みの目標なし" in "".join(svg.itertext())


@given(st.text(min_size=1, max_size=60))
def test_any_label_is_text_in_a_well_formed_svg(label: str) -> None:
    label = "".join(c for c in label if c.isprintable()) or "x"
    svg = _chart(Bar(label, (Decimal(50), Decimal(50), None), (1, 1, 0), 2, 2), title=label)
    assert svg.get("role") == "img"
    assert svg.find("svg:title", NS).text == label  # type: ignore[union-attr]
    assert not list(svg.iter("{http://www.w3.org/2000/svg}script"))


def test_description_reads_every_share() -> None:
    chart = Chart(
        "t", (Bar("全体", (Decimal("77.6"), Decimal("22.4"), None), (59, 17, 0), 76, 76),), GRADES
    )
    assert charts.describe(chart) == "全体: 評価済み 76/76 件。A 77.6%（59件）、B 22.4%（17件）。"
