"""What every chart is made of: the `Chart` the templates draw (templates/charts.html), its `Shape`s
(SVG elements as plain data), the sizes the charts share, and how a coordinate and a text are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Attrs = dict[str, str]

FONT = 12  # px in the viewBox; the SVG scales with its container (psm.css: svg.chart)
LABEL_W = 96  # left column: what the row is


@dataclass
class Shape:
    """One SVG element: its tag (rect, circle, line, text, path, pattern…), its attributes, its text
    (for text), its tooltip (a <title> child) and its children (for pattern and g)."""

    tag: str
    attrs: Attrs
    text: str = ""
    tooltip: str = ""
    children: list[Shape] = field(default_factory=list)


@dataclass
class Chart:
    id: str  # unique on the page: the ids of <title>, <desc> and patterns derive from it
    title: str
    desc: str
    width: int
    height: int
    shapes: list[Shape]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def coord(x: float) -> str:
    """A coordinate as SVG writes it: no trailing zeros.

    >>> coord(12.0), coord(3.25), coord(1 / 3)
    ('12', '3.25', '0.33')
    """
    return f"{x:.2f}".rstrip("0").rstrip(".")


def text(x: float, y: float, words: str, cls: str = "chart-label", anchor: str = "start") -> Shape:
    """A text element at (x, y), in the charts' font size and the page's colour."""
    attrs = {"x": coord(x), "y": coord(y), "class": cls, "font-size": str(FONT), "fill": "currentColor"}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    return Shape("text", attrs, words)
