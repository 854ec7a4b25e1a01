"""Charts drawn on the server as inline SVG: no chart library, no script, no inline style.

Contract: each builder takes plain numbers and labels (the kinds/ modules read them from the model)
and gives a `Chart`: a title, a description that says in words what the picture shows (screen
readers read it: the SVG is role="img", labelled by both), a viewBox and a list of `Shape`s that
templates/charts.html writes out as SVG elements, attribute by attribute, escaped like any other
value; every word comes from the message catalogue (psm_ld.pages.i18n, `t`). Colours come from
classes in static/psm.css (a Content-Security-Policy without 'unsafe-inline' forbids style
attributes), with SVG presentation attributes as the fallback. Every chart sits beside the table
that holds the same figures (the accessible fallback), which the pages keep.

Three charts:
- `declared_vs_present`: per axis, one bar per counted level: filled = in the data, outlined = the
  largest number a source declares, a tick at every other declared number; «non indicato dalle
  fonti» where no source gives a number for that axis;
- `alignment_matrix`: elements × concepts, one mark per alignment, its basis visible: filled =
  stated by a source, hatched = interpretation of a source's layout, outlined = derived by rule; a
  small grey dot = not stated by the sources; a legend under the grid;
- `editions`: edition by edition, the same bars for axes, strategies and actions (one scale per
  level, said in the description).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psm_ld.pages.i18n import Translator

Attrs = dict[str, str]

FONT = 12  # px in the viewBox; the SVG scales with its container (psm.css: svg.chart)
ROW = 18  # height of one bar row
LABEL_W = 96  # left column: what the row is
NOTE_W = 250  # right column: the figures in words
BAR_W = 330  # the longest bar
CELL = 38  # the matrix's cells
# the marks of the alignment matrix, by basis ("": not stated by the sources); their words are the
# message catalogue's (basis.mark.*, unknown)
MARKS = {
    "dichiarato": "mark-stated",
    "interpretazione": "mark-interpreted",
    "derivato": "mark-derived",
    "": "mark-unknown",
}


def mark_words(t: Translator, basis: str) -> str:
    return (
        t(f"basis.mark.{basis}") if basis in ("dichiarato", "interpretazione", "derivato") else t("unknown")
    )


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


@dataclass
class Bar:
    """One bar: what it counts, how many the data holds, and every number a source declares."""

    label: str
    present: int
    declared: list[int] = field(default_factory=list)
    level: str = ""  # what is counted («azioni»), when the label says something else (an edition)


@dataclass
class BarGroup:
    """Bars under one heading (an axis, or a level when editions are compared)."""

    label: str
    bars: list[Bar]


def _n(x: float) -> str:
    """A coordinate as SVG writes it: no trailing zeros.

    >>> _n(12.0), _n(3.25), _n(1 / 3)
    ('12', '3.25', '0.33')
    """
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, cls: str = "chart-label", anchor: str = "start") -> Shape:
    attrs = {"x": _n(x), "y": _n(y), "class": cls, "font-size": str(FONT), "fill": "currentColor"}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    return Shape("text", attrs, text)


def describe_bar(bar: Bar, t: Translator) -> str:
    """The figures of a bar in words, as the chart writes them beside it.

    >>> t = Translator("it")
    >>> describe_bar(Bar("azioni", 3, [28]), t)
    '3 di 28 dichiarate'
    >>> describe_bar(Bar("strategie", 24, [28, 24]), t)
    '24 · dichiarate 28 o 24'
    >>> describe_bar(Bar("azioni", 3), t)
    '3 · dichiarate: non indicato dalle fonti'
    >>> describe_bar(Bar("assi", 6, [6]), t), describe_bar(Bar("axes", 6, [6]), Translator("en"))
    ('6 di 6 dichiarati', '6 of 6 declared')
    """
    cls = "Asse" if (bar.level or bar.label) in ("assi", "axes") else "Azione"  # the participle's gender
    participle = t.declared(cls, 2).removesuffix(" da").removesuffix(" by")
    values = sorted(set(bar.declared), reverse=True)
    if not values:
        return t("chart.unknown_declared", present=bar.present, participle=participle)
    if len(values) == 1:
        return t("chart.of", present=bar.present, declared=values[0], participle=participle)
    joined = f" {t('counts.or')} ".join(str(v) for v in values)
    return t("chart.or_declared", present=bar.present, participle=participle, values=joined)


def _bars(
    chart_id: str, title: str, desc: str, groups: list[BarGroup], scales: list[int], t: Translator
) -> Chart:
    """Rows of bars, a heading per group; `scales[i]` is the value the longest bar of group i
    stands for."""
    shapes: list[Shape] = []
    y = 4.0
    for group, scale in zip(groups, scales, strict=True):
        shapes.append(_text(0, y + FONT, group.label, "chart-group"))
        y += FONT + 4  # the heading has its own line
        for bar in group.bars:
            top = y + 2
            unit = BAR_W / scale if scale else 0.0
            x0 = LABEL_W
            shapes.append(_text(x0 - 6, top + ROW - 5, bar.label, "chart-label", "end"))
            if bar.declared:
                shapes.append(
                    Shape(
                        "rect",
                        {
                            "x": _n(x0),
                            "y": _n(top),
                            "width": _n(max(bar.declared) * unit),
                            "height": _n(ROW - 4),
                            "class": "bar-declared",
                            "fill": "none",
                            "stroke": "currentColor",
                        },
                        tooltip=t("chart.declared_n", n=max(bar.declared)),
                    )
                )
            shapes.append(
                Shape(
                    "rect",
                    {
                        "x": _n(x0),
                        "y": _n(top),
                        "width": _n(bar.present * unit),
                        "height": _n(ROW - 4),
                        "class": "bar-present",
                        "fill": "#0b4f8a",
                    },
                    tooltip=t("chart.in_data_n", n=bar.present),
                )
            )
            for value in sorted(set(bar.declared))[:-1]:  # the other declared numbers: ticks
                x = x0 + value * unit
                shapes.append(
                    Shape(
                        "line",
                        {
                            "x1": _n(x),
                            "x2": _n(x),
                            "y1": _n(top - 2),
                            "y2": _n(top + ROW - 2),
                            "class": "bar-tick",
                            "stroke": "currentColor",
                            "stroke-width": "2",
                        },
                        tooltip=t("chart.other_declared_n", n=value),
                    )
                )
            shapes.append(_text(x0 + BAR_W + 8, top + ROW - 5, describe_bar(bar, t), "chart-note"))
            y += ROW + 2
        y += FONT + 10
    shapes.extend(_bar_legend(y, t))
    return Chart(chart_id, title, desc, LABEL_W + BAR_W + NOTE_W, int(y + ROW + 8), shapes)


def _bar_legend(y: float, t: Translator) -> list[Shape]:
    return [
        Shape(
            "rect",
            {"x": "0", "y": _n(y), "width": "22", "height": "12", "class": "bar-present", "fill": "#0b4f8a"},
        ),
        _text(28, y + 11, t("chart.in_data")),
        Shape(
            "rect",
            {
                "x": "190",
                "y": _n(y),
                "width": "22",
                "height": "12",
                "class": "bar-declared",
                "fill": "none",
                "stroke": "currentColor",
            },
        ),
        _text(218, y + 11, t("chart.declared")),
        Shape(
            "line",
            {
                "x1": "440",
                "x2": "440",
                "y1": _n(y - 1),
                "y2": _n(y + 13),
                "class": "bar-tick",
                "stroke": "currentColor",
                "stroke-width": "2",
            },
        ),
        _text(448, y + 11, t("chart.other_declared")),
    ]


def declared_vs_present(chart_id: str, title: str, groups: list[BarGroup], t: Translator) -> Chart:
    """Per axis, a bar per counted level (one scale for all: the largest number shown).

    >>> c = declared_vs_present("c", "t", [BarGroup("Asse 1", [Bar("azioni", 0, [28])]),
    ...                                     BarGroup("Asse 2", [Bar("azioni", 3, [28])])], Translator("it"))
    >>> c.desc
    'Asse 1: azioni 0 di 28 dichiarate. Asse 2: azioni 3 di 28 dichiarate.'
    >>> [s.attrs["width"] for s in c.shapes if s.attrs.get("class") == "bar-present"][:2]
    ['0', '35.36']
    """
    scale = max([1] + [max([b.present, *b.declared]) for g in groups for b in g.bars])
    desc = " ".join(
        f"{g.label}: " + "; ".join(f"{b.label} {describe_bar(b, t)}" for b in g.bars) + "." for g in groups
    )
    return _bars(chart_id, title, desc, groups, [scale] * len(groups), t)


def editions(chart_id: str, title: str, groups: list[BarGroup], t: Translator) -> Chart:
    r"""Edition by edition, one group per level, each with its own scale (said in the description).

    >>> axes = BarGroup("assi", [Bar("2021-2023", 6, [6], "assi")])
    >>> actions = BarGroup("azioni", [Bar("2021-2023", 10, [111]), Bar("2024-2026", 13, [113])])
    >>> print(editions("e", "t", [axes, actions], Translator("it")).desc.replace(". ", ".\n"))
    Ogni gruppo ha la sua scala.
    assi: 2021-2023 6 di 6 dichiarati.
    azioni: 2021-2023 10 di 111 dichiarate; 2024-2026 13 di 113 dichiarate.
    """
    scales = [max([1] + [max([b.present, *b.declared]) for b in g.bars]) for g in groups]
    desc = (
        t("chart.scales")
        + " "
        + " ".join(
            f"{g.label}: " + "; ".join(f"{b.label} {describe_bar(b, t)}" for b in g.bars) + "."
            for g in groups
        )
    )
    return _bars(chart_id, title, desc, groups, scales, t)


@dataclass
class MatrixRow:
    """A row of the alignment matrix: its label, its tooltip name, and per column the basis of the
    alignment ("" where the sources state none) with a tooltip."""

    label: str
    name: str
    cells: list[tuple[str, str]]


def alignment_matrix(
    chart_id: str,
    title: str,
    columns: list[tuple[str, str]],
    groups: list[tuple[str, int]],
    rows: list[MatrixRow],
    t: Translator,
) -> Chart:
    r"""The matrix as marks: `columns` are (code, name), `groups` (heading, number of columns).

    >>> c = alignment_matrix("m", "t", [("M1", "Digitalizzazione"), ("OP1", "Europa più intelligente")],
    ...                      [("PNRR", 1), ("Coesione", 1)],
    ...                      [MatrixRow("Asse 1", "Asse 1", [("dichiarato", ""), ("interpretazione", "")]),
    ...                       MatrixRow("Asse 2", "Asse 2", [("", ""), ("derivato", "")])], Translator("it"))
    >>> print(c.desc.replace(". ", ".\n"))
    Asse 1: M1 dichiarato da una fonte; OP1 interpretazione dell'impaginazione di una fonte.
    Asse 2: OP1 derivato per regola dal livello superiore.
    Le altre celle: non indicato dalle fonti.
    >>> sorted({s.attrs["class"] for s in c.shapes if s.tag == "circle"})
    ['mark-derived', 'mark-interpreted', 'mark-stated', 'mark-unknown']
    """
    hatch = f"{chart_id}-hatch"
    shapes: list[Shape] = [
        Shape(
            "defs",
            {},
            children=[
                Shape(
                    "pattern",
                    {
                        "id": hatch,
                        "width": "5",
                        "height": "5",
                        "patternUnits": "userSpaceOnUse",
                        "patternTransform": "rotate(45)",
                    },
                    children=[
                        Shape("rect", {"width": "5", "height": "5", "class": "hatch-bg", "fill": "#ffffff"}),
                        Shape(
                            "line",
                            {
                                "x1": "0",
                                "x2": "0",
                                "y1": "0",
                                "y2": "5",
                                "class": "hatch-line",
                                "stroke": "#6b3d8f",
                                "stroke-width": "3",
                            },
                        ),
                    ],
                ),
            ],
        )
    ]
    top = FONT + 8  # group headings, then codes
    x = float(LABEL_W)
    for heading, span in groups:
        shapes.append(_text(x + span * CELL / 2, FONT + 2, heading, "chart-group", "middle"))
        shapes.append(
            Shape(
                "line",
                {
                    "x1": _n(x + 3),
                    "x2": _n(x + span * CELL - 3),
                    "y1": _n(top - 2),
                    "y2": _n(top - 2),
                    "class": "chart-rule",
                    "stroke": "currentColor",
                },
            )
        )
        x += span * CELL
    for i, (code, name) in enumerate(columns):
        text = _text(LABEL_W + i * CELL + CELL / 2, top + FONT + 2, code, "chart-code", "middle")
        text.tooltip = name
        shapes.append(text)
    grid_top = top + FONT + 10
    words: list[str] = []
    for r, row in enumerate(rows):
        cy = grid_top + r * CELL + CELL / 2
        shapes.append(_text(LABEL_W - 8, cy + FONT / 2 - 2, row.label, "chart-label", "end"))
        said = []
        for c, (basis, tooltip) in enumerate(row.cells):
            cx = LABEL_W + c * CELL + CELL / 2
            it = mark_words(t, basis)
            tip = f"{row.name} → {columns[c][0]}: {it}" + (f" ({tooltip})" if tooltip else "")
            shapes.append(_mark(cx, cy, basis, hatch, tip if basis else ""))  # the legend names the dots
            if basis:
                said.append(f"{columns[c][0]} {it}")
        words.append(f"{row.label}: " + ("; ".join(said) if said else t("unknown")) + ".")
    y = grid_top + len(rows) * CELL + 16
    legend_x = 0.0
    for basis in ("dichiarato", "interpretazione", "derivato", ""):
        shapes.append(_mark(legend_x + 9, y, basis, hatch, ""))
        words_ = mark_words(t, basis)
        shapes.append(_text(legend_x + 22, y + 4, words_, "chart-note"))
        legend_x += 22 + len(words_) * 6.3 + 16
        if legend_x > 420:
            legend_x, y = 0.0, y + 22
    width = max(LABEL_W + len(columns) * CELL + 8, 560)
    desc = " ".join(words) + " " + t("chart.others_unknown")
    return Chart(chart_id, title, desc, int(width), int(y + 14), shapes)


def _mark(cx: float, cy: float, basis: str, hatch: str, tooltip: str) -> Shape:
    cls = MARKS.get(basis, MARKS[""])
    attrs = {"cx": _n(cx), "cy": _n(cy), "class": cls}
    if basis == "dichiarato":
        attrs |= {"r": "11", "fill": "#0b4f8a", "stroke": "#0b4f8a", "stroke-width": "2"}
    elif basis == "interpretazione":
        attrs |= {"r": "11", "fill": f"url(#{hatch})", "stroke": "#6b3d8f", "stroke-width": "2"}
    elif basis == "derivato":
        attrs |= {
            "r": "10",
            "fill": "#ffffff",
            "stroke": "#0b4f8a",
            "stroke-width": "2",
            "stroke-dasharray": "3 2",
        }
    else:
        attrs |= {"r": "2.5", "fill": "#8a949e"}
    return Shape("circle", attrs, tooltip=tooltip)
