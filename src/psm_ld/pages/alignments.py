"""The qualified alignments of the plan's elements (psm:AllineamentoQualificato), read from the model:
each with its basis, sources and note, and for a derived one the alignment it follows from.

Contract: `alignments_of(model, iri)` gives the alignments of a plan element, `alignments_to(model,
concept)` those whose concept is `concept`, `alignment(model, node)` one alignment node; lists are
in BASES order (stated, interpretation, derived), then by relation and concept code (or element),
the same at every render. Nothing here renders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.pages.model import Link, Model
from psm_ld.vocab import SKOS

# the bases of a qualified alignment (ontology: psm:BaseAllineamento), in the order pages show them:
# what a source states, then a reading of a source's layout, then what a rule derives from the axis
BASES = ("dichiarato", "interpretazione", "derivato")


@dataclass
class Alignment:
    """A qualified alignment (psm:AllineamentoQualificato) of a plan element to a vocabulary concept,
    as the release holds it: its basis (one of BASES, with the ontology's labels), its sources and
    note; for a derived one, the element (`via`, the axis) whose alignment it follows from by rule
    and that alignment's own basis (`via_basis`: a rule applied to an interpretation is no more than
    an interpretation)."""

    node: str
    subject: Link
    property: Link
    target: Link
    basis: str
    basis_label: str
    basis_label_en: str
    sources: list[Link]
    note: str = ""
    via: Link | None = None
    via_basis: str = ""


def alignments_of(model: Model, iri: str) -> list[Alignment]:
    """The qualified alignments of the plan element `iri` (psm:allineamentoQualificato), stated,
    interpreted or derived, in BASES order, then by relation and concept code."""
    nodes = [o.value for o in model.objects(iri, model.psm + "allineamentoQualificato")]
    return _sorted(model, (a for a in (alignment(model, n) for n in nodes) if a is not None))


def alignments_to(model: Model, concept: str) -> list[Alignment]:
    """Every qualified alignment whose concept is `concept`, in BASES order, then by element."""
    nodes = {
        q.subject.value
        for q in model.store.quads_for_pattern(
            None, ox.NamedNode(model.psm + "concettoAllineato"), ox.NamedNode(concept)
        )
        if isinstance(q.subject, ox.NamedNode)
    }
    found = [a for a in (alignment(model, n) for n in sorted(nodes)) if a is not None]
    return sorted(found, key=lambda a: (_basis_rank(a.basis), model.code_key(a.subject.iri), a.node))


def alignment(model: Model, node: str) -> Alignment | None:
    """The qualified alignment `node`; None when the release lacks its element, concept,
    relation or basis (SHACL requires them: a release that validated has them all)."""
    psm = model.psm
    owners = model.subjects(psm + "allineamentoQualificato", node)
    concept = _iri(model, node, psm + "concettoAllineato")
    relation = _iri(model, node, psm + "relazioneAllineamento")
    basis = _iri(model, node, psm + "baseAllineamento")
    if not owners or concept is None or relation is None or basis is None:
        return None
    via, via_basis = None, ""
    origin = _iri(model, node, psm + "derivatoDa")
    if origin is not None:
        origin_owners = model.subjects(psm + "allineamentoQualificato", origin)
        via = model.link(origin_owners[0]) if origin_owners else None
        origin_basis = _iri(model, origin, psm + "baseAllineamento")
        via_basis = origin_basis.removeprefix(psm) if origin_basis else ""
    subject = model.link(owners[0])
    lineage = model.lineage(owners[0])
    if lineage:  # an axis 4 is in every edition: say which
        subject.note = f"PSM {model.notations.get(lineage[0], '')}"
    return Alignment(
        node=node,
        subject=subject,
        property=model.link(relation),
        target=model.link(concept),
        basis=basis.removeprefix(psm),
        basis_label=model.label(basis),
        basis_label_en=model.label(basis, "en"),
        sources=model.sources(node),
        note=model.literal(node, SKOS + "editorialNote"),
        via=via,
        via_basis=via_basis,
    )


def _iri(model: Model, iri: str, predicate: str) -> str | None:
    for o in model.objects(iri, predicate):
        if isinstance(o, ox.NamedNode):
            return o.value
    return None


def _sorted(model: Model, found: Iterable[Alignment]) -> list[Alignment]:
    return sorted(
        found,
        key=lambda a: (_basis_rank(a.basis), a.property.label, model.code_key(a.target.iri)),
    )


def _basis_rank(basis: str) -> int:
    return BASES.index(basis) if basis in BASES else len(BASES)
