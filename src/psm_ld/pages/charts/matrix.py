"""The alignment matrix as marks: plan elements × concepts, one mark per alignment with its basis
visible (stated, interpretation, derived; a grey dot where the sources state none), and a legend.
"""

from __future__ import annotations

from dataclasses import dataclass

from psm_ld.pages.charts.svg import FONT, LABEL_W, Chart, Shape, coord, text
from psm_ld.pages.i18n import Translator

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
        shapes.append(text(x + span * CELL / 2, FONT + 2, heading, "chart-group", "middle"))
        shapes.append(
            Shape(
                "line",
                {
                    "x1": coord(x + 3),
                    "x2": coord(x + span * CELL - 3),
                    "y1": coord(top - 2),
                    "y2": coord(top - 2),
                    "class": "chart-rule",
                    "stroke": "currentColor",
                },
            )
        )
        x += span * CELL
    for i, (code, name) in enumerate(columns):
        code_text = text(LABEL_W + i * CELL + CELL / 2, top + FONT + 2, code, "chart-code", "middle")
        code_text.tooltip = name
        shapes.append(code_text)
    grid_top = top + FONT + 10
    words: list[str] = []
    for r, row in enumerate(rows):
        cy = grid_top + r * CELL + CELL / 2
        shapes.append(text(LABEL_W - 8, cy + FONT / 2 - 2, row.label, "chart-label", "end"))
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
        shapes.append(text(legend_x + 22, y + 4, words_, "chart-note"))
        legend_x += 22 + len(words_) * 6.3 + 16
        if legend_x > 420:
            legend_x, y = 0.0, y + 22
    width = max(LABEL_W + len(columns) * CELL + 8, 560)
    desc = " ".join(words) + " " + t("chart.others_unknown")
    return Chart(chart_id, title, desc, int(width), int(y + 14), shapes)


def _mark(cx: float, cy: float, basis: str, hatch: str, tooltip: str) -> Shape:
    cls = MARKS.get(basis, MARKS[""])
    attrs = {"cx": coord(cx), "cy": coord(cy), "class": cls}
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
