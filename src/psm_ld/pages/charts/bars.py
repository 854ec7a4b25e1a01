"""Bar charts of counts: how many the data holds beside every number a source declares, per axis
(`declared_vs_present`) or edition by edition (`compare_editions`); `describe_bar` says a bar in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psm_ld.pages.charts.svg import FONT, LABEL_W, Chart, Shape, coord, text
from psm_ld.pages.i18n import Translator

ROW = 18  # height of one bar row
NOTE_W = 250  # right column: the figures in words
BAR_W = 330  # the longest bar


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


def compare_editions(chart_id: str, title: str, groups: list[BarGroup], t: Translator) -> Chart:
    r"""Edition by edition, one group per level, each with its own scale (said in the description).

    >>> axes = BarGroup("assi", [Bar("2021-2023", 6, [6], "assi")])
    >>> actions = BarGroup("azioni", [Bar("2021-2023", 10, [111]), Bar("2024-2026", 13, [113])])
    >>> print(compare_editions("e", "t", [axes, actions], Translator("it")).desc.replace(". ", ".\n"))
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
        shapes.append(text(0, y + FONT, group.label, "chart-group"))
        y += FONT + 4  # the heading has its own line
        for bar in group.bars:
            top = y + 2
            unit = BAR_W / scale if scale else 0.0
            x0 = LABEL_W
            shapes.append(text(x0 - 6, top + ROW - 5, bar.label, "chart-label", "end"))
            if bar.declared:
                shapes.append(
                    Shape(
                        "rect",
                        {
                            "x": coord(x0),
                            "y": coord(top),
                            "width": coord(max(bar.declared) * unit),
                            "height": coord(ROW - 4),
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
                        "x": coord(x0),
                        "y": coord(top),
                        "width": coord(bar.present * unit),
                        "height": coord(ROW - 4),
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
                            "x1": coord(x),
                            "x2": coord(x),
                            "y1": coord(top - 2),
                            "y2": coord(top + ROW - 2),
                            "class": "bar-tick",
                            "stroke": "currentColor",
                            "stroke-width": "2",
                        },
                        tooltip=t("chart.other_declared_n", n=value),
                    )
                )
            shapes.append(text(x0 + BAR_W + 8, top + ROW - 5, describe_bar(bar, t), "chart-note"))
            y += ROW + 2
        y += FONT + 10
    shapes.extend(_bar_legend(y, t))
    return Chart(chart_id, title, desc, LABEL_W + BAR_W + NOTE_W, int(y + ROW + 8), shapes)


def _bar_legend(y: float, t: Translator) -> list[Shape]:
    return [
        Shape(
            "rect",
            {
                "x": "0",
                "y": coord(y),
                "width": "22",
                "height": "12",
                "class": "bar-present",
                "fill": "#0b4f8a",
            },
        ),
        text(28, y + 11, t("chart.in_data")),
        Shape(
            "rect",
            {
                "x": "190",
                "y": coord(y),
                "width": "22",
                "height": "12",
                "class": "bar-declared",
                "fill": "none",
                "stroke": "currentColor",
            },
        ),
        text(218, y + 11, t("chart.declared")),
        Shape(
            "line",
            {
                "x1": "440",
                "x2": "440",
                "y1": coord(y - 1),
                "y2": coord(y + 13),
                "class": "bar-tick",
                "stroke": "currentColor",
                "stroke-width": "2",
            },
        ),
        text(448, y + 11, t("chart.other_declared")),
    ]
