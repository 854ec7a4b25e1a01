"""Declared counts against the data: «28 strategie dichiarate da …, 24 presenti».

Contract: `counts(model, owner)` gives, for the plan or an axis, one `CountLine` per counted class
(the levels below the owner, then any other class a source counts): how many the data holds and what
each source declares (psm:conteggioDichiarato), agreeing declarations last. For a plan, each
declaration also carries what the same source's counts for every axis add up to. `CountLine.values`
groups the declarations by number, so a number four sources give is said once with its four sources;
`CountLine.untranscribed` says when the reason the data holds fewer actions than declared is the
known one (the per-axis documents listing them are not yet transcribed: data/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from psm_ld.pages.i18n import Translator
from psm_ld.pages.model import LEVELS, Link, Model
from psm_ld.vocab import DCT, SKOS

# what each counted class is called in a sentence («28 strategie dichiarate …»): the catalogue's plural
ITALIAN, ENGLISH = Translator("it"), Translator("en")


@dataclass
class Declared:
    value: int
    source: Link
    note: str = ""
    axis_sum: int | None = None  # for a plan: what the same source's counts for every axis add up to


@dataclass
class CountLine:
    cls: str  # local name of the counted class
    plural: str
    plural_en: str
    present: int
    declared: list[Declared] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Declared]:
        return [d for d in self.declared if d.value != self.present]

    @property
    def agreeing(self) -> bool:
        return not self.conflicts

    @property
    def values(self) -> list[DeclaredValue]:
        """The declared numbers, each once with the declarations that give it (the number the data
        agrees with first, then larger numbers first)."""
        grouped: dict[int, list[Declared]] = {}
        for d in self.declared:
            grouped.setdefault(d.value, []).append(d)
        order = sorted(grouped, key=lambda value: (value != self.present, -value))
        return [DeclaredValue(value, grouped[value]) for value in order]

    @property
    def untranscribed(self) -> bool:
        """Whether the data holds fewer actions than a source declares: their lists are in the
        per-axis documents, not yet transcribed."""
        return self.cls == "Azione" and any(d.value > self.present for d in self.declared)


@dataclass
class DeclaredValue:
    """One declared number and every declaration (one per source) that gives it."""

    value: int
    declarations: list[Declared]

    @property
    def notes(self) -> list[str]:
        return list(dict.fromkeys(d.note for d in self.declarations if d.note))

    @property
    def axis_sums(self) -> list[Declared]:
        """The declarations whose source also counts axis by axis (their `axis_sum`)."""
        return [d for d in self.declarations if d.axis_sum is not None]


def counts(model: Model, owner: str) -> list[CountLine]:
    """Declared counts (one per source) against what the data holds, for the plan or an axis."""
    lines: dict[str, CountLine] = {}
    owner_level = model.level(owner)
    order = LEVELS[LEVELS.index(owner_level) + 1 :] if owner_level in LEVELS else LEVELS
    for cls in order:
        lines[cls] = _line(model, owner, cls)
    sums = _axis_sums(model, owner) if owner_level == "PianoStrategico" else {}
    for count, cls, value, _ in _declared(model, owner):
        line = lines.setdefault(cls, _line(model, owner, cls))
        note = model.literal(count, SKOS + "editorialNote")
        for source in model.sources(count) or [Link("", "")]:  # no source: the page says so
            line.declared.append(Declared(value, source, note, sums.get((cls, source.iri))))
    for line in lines.values():
        line.declared.sort(key=lambda d: (d.value != line.present, d.source.label))
    return list(lines.values())


def _line(model: Model, owner: str, cls: str) -> CountLine:
    """What the data holds of the class `cls` below `owner`, the class named in both languages (an
    unknown class by its local name)."""
    return CountLine(cls, ITALIAN.word(cls, 2), ENGLISH.word(cls, 2), len(model.descendants(owner, cls)))


def _declared(model: Model, owner: str) -> list[tuple[str, str, int, list[str]]]:
    """The counts declared for `owner`: (count IRI, counted class's local name, value, source
    IRIs); a count without a class or an integer value is left out."""
    out = []
    for count in model.objects(owner, model.psm + "conteggioDichiarato"):
        if not isinstance(count, ox.NamedNode):
            continue
        classes = model.objects(count.value, model.psm + "classeConteggiata")
        values = model.objects(count.value, model.psm + "valoreDichiarato")
        if not classes or not values or not values[0].value.isdigit():
            continue
        sources = [o.value for o in model.objects(count.value, DCT + "source")]
        out.append((count.value, classes[0].value.removeprefix(model.psm), int(values[0].value), sources))
    return out


def _axis_sums(model: Model, plan: str) -> dict[tuple[str, str], int]:
    """(class, source) -> the sum of that source's counts of that class over the plan's axes,
    where the source counts every axis (a partial sum would say nothing)."""
    axes = model.members(plan, "Asse")
    parts: dict[tuple[str, str], list[int]] = {}
    for axis in axes:
        for _, cls, value, sources in _declared(model, axis):
            for source in sources:
                parts.setdefault((cls, source), []).append(value)
    return {key: sum(values) for key, values in parts.items() if len(values) == len(axes)}
