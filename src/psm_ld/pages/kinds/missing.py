"""An action the plan declares but the data does not hold yet (missing_action.html, status 404).

Contract: `missing_action(model, base, path)` recognises the path of an action
(`psm/<edition>/azione/<axis>.<strategy>.<n>`, with or without a document suffix) that the release
lacks although its edition and axis are there, its strategy is there or within the number the
sources declare for the axis, and a source declares more actions (for the axis, else for the plan)
than the data holds, `n` not beyond that number. It gives what to tell the reader: how many the plan
declares for the axis (or «non indicato dalle fonti», with the plan's total) and how many the data
holds, why (the per-axis documents are not yet transcribed) and how a plan office adds them: the
steps of data/README.md («Aggiungere le azioni di un asse»), read from the project (`steps`). Any
other unknown path is None: an ordinary «not found».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from psm_ld.pages.counts import CountLine, DeclaredValue, counts
from psm_ld.pages.model import Link, Model
from psm_ld.query import conneg

ACTION_PATH = re.compile(
    r"^psm/(?P<edition>\d{4}-\d{4})/azione/(?P<axis>[1-9]\d*)\.(?P<strategy>[1-9]\d*)\.(?P<n>[1-9]\d*)$"
)
README_SECTION = "## Aggiungere le azioni di un asse"
README_PATH = "data/README.md"

Segment = tuple[str, bool]  # a piece of a step: its text, whether it is code


@dataclass
class MissingAction:
    code: str
    plan: Link
    axis: Link
    strategy: Link | None  # None when the data lacks the strategy too (within the declared number)
    axis_declared: list[DeclaredValue]  # what sources declare for the axis (may be empty)
    plan_declared: list[DeclaredValue]  # what sources declare for the whole edition
    present: list[Link]  # the axis's actions in the data
    plan_present: int
    steps: list[list[Segment]] = field(default_factory=list)

    @property
    def declared(self) -> int | None:
        """The number the sources declare for the axis (the largest, if they differ), or None."""
        return max((g.value for g in self.axis_declared), default=None)

    def detail(self) -> str:
        """The explanation in one line, for clients that read problem+json or plain text."""
        n = self.declared
        axis = f"asse {self.axis.code} del PSM {self.plan.code}"
        said = (
            f"il piano dichiara {n} azioni per l'{axis}"
            if n is not None
            else f"per l'{axis} il numero di azioni è non indicato dalle fonti (per l'intera edizione: "
            + " o ".join(str(g.value) for g in self.plan_declared)
            + ")"
        )
        return (
            f"{said}, i dati ne hanno {len(self.present)} (in tutta l'edizione {self.plan_present}); "
            "gli elenchi completi sono nelle schede per asse, non ancora trascritte; come aggiungerle: "
            f"{README_PATH}, «{README_SECTION.removeprefix('## ')}»"
        )


def missing_action(model: Model, base: str, path: str, root: Path | None = None) -> MissingAction | None:
    """The declared-but-missing action at `path` (relative to the base), or None (module docstring)."""
    stem, media = conneg.split_suffix(path)
    match = ACTION_PATH.match(stem if media else path)
    if match is None or model.known(base + match.group(0)):
        return None
    edition, axis_n, strategy_n, n = (match.group(k) for k in ("edition", "axis", "strategy", "n"))
    plan = base + f"psm/{edition}"
    axis = base + f"psm/{edition}/asse/{axis_n}"
    strategy = base + f"psm/{edition}/strategia/{axis_n}.{strategy_n}"
    if model.level(plan) != "PianoStrategico" or model.level(axis) != "Asse":
        return None
    axis_lines = {line.cls: line for line in counts(model, axis)}
    plan_lines = {line.cls: line for line in counts(model, plan)}
    if model.level(strategy) != "Strategia" and int(strategy_n) > _most(axis_lines.get("Strategia")):
        return None
    actions = axis_lines.get("Azione")
    bound = _most(actions) or _most(plan_lines.get("Azione"))
    present = model.descendants(axis, "Azione")
    if bound <= len(present) or int(n) > bound:
        return None
    plan_actions = plan_lines.get("Azione")
    return MissingAction(
        code=f"{axis_n}.{strategy_n}.{n}",
        plan=model.link(plan),
        axis=model.link(axis),
        strategy=model.link(strategy) if model.level(strategy) == "Strategia" else None,
        axis_declared=actions.values if actions else [],
        plan_declared=plan_actions.values if plan_actions else [],
        present=[model.link(a) for a in present],
        plan_present=plan_actions.present if plan_actions else 0,
        steps=steps(_read(root / README_PATH)) if root is not None else [],
    )


def _most(line: CountLine | None) -> int:
    return max((d.value for d in line.declared), default=0) if line else 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:  # an installed package without the project's data/: the page names the file
        return ""


def steps(readme: str, section: str = README_SECTION) -> list[list[Segment]]:
    """The numbered steps of `section` in a README: each step's text (continuation lines joined, bold
    marks dropped) cut into plain and `code` pieces.

    >>> text = "## X\\n1. no\\n" + README_SECTION + " / Adding\\nIntro.\\n1. In `a.csv` add\\n   **a** row."
    >>> for step in steps(text + "\\n2. Run `make`.\\n## Next\\n3. no"):
    ...     print(step)
    [('In ', False), ('a.csv', True), (' add a row.', False)]
    [('Run ', False), ('make', True), ('.', False)]
    """
    lines = readme.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(section)), None)
    if start is None:
        return []
    items: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        numbered = re.match(r"^\d+\.\s+(.*)$", line)
        if numbered:
            items.append(numbered.group(1).strip())
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
    out = []
    for item in items:
        parts = item.replace("**", "").split("`")
        out.append([(part, i % 2 == 1) for i, part in enumerate(parts) if part])
    return out
