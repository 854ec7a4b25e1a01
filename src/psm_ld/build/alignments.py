"""What an edition's allineamenti.csv may say (its relations and bases), and the rule that derives
the alignments an axis hands down to its strategies and actions (data/README.md).

Contract: `RELATIONS` and `BASES` are the vocabularies of the table's «relazione» and «base» columns
(pages read them back from the ontology); `derive(graph, psm, origins)` adds, to one edition's
graph, a qualified alignment with basis psm:derivato for every strategy and action below an axis
aligned by one of `INHERITED`, unless a source states the same alignment for it; the new nodes
remember the axis's row as their origin. Deterministic: subjects and nodes are visited sorted.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef

from psm_ld.build.iris import RDF, SKOS
from psm_ld.build.tables import Origin

# allineamenti.csv «relazione» → (ontology property, target class, IRI path of the target)
RELATIONS: dict[str, tuple[str, str, str]] = {
    "missione-pnrr": ("missionePNRR", "MissionePNRR", "pnrr/missione/{}"),
    "componente-pnrr": ("componentePNRR", "ComponentePNRR", "pnrr/componente/{}"),
    "obiettivo-coesione": (
        "obiettivoStrategicoCoesione",
        "ObiettivoStrategicoCoesione",
        "coesione/2021-2027/obiettivo/{}",
    ),
    "obiettivo-specifico-coesione": (
        "obiettivoSpecificoCoesione",
        "ObiettivoSpecificoCoesione",
        "coesione/2021-2027/obiettivo-specifico/{}",
    ),
    "programma-ue": ("programmaUE", "ProgrammaUE", "programma-ue/{}"),
    "strumento-finanziamento": (
        "strumentoFinanziamento",
        "StrumentoFinanziamento",
        "strumento-finanziamento/{}",
    ),
}
# allineamenti.csv «base» → individual of psm:BaseAllineamento; «derivato» is never written, only computed
BASES = {"dichiarato": "dichiarato", "interpretazione": "interpretazione"}
# the relations an axis hands down to its strategies and actions (psm:derivato)
INHERITED = ("missione-pnrr", "obiettivo-coesione")


def derive(graph: Graph, psm: Namespace, origins: dict[tuple[URIRef, URIRef | None], Origin]) -> None:
    """Strategies and actions share their axis's PNRR mission and cohesion objective: a rule, so
    each gets a qualified alignment with basis psm:derivato that points at the axis's one
    (psm:derivatoDa), unless a source states the same alignment for it."""
    for axis in sorted(s for s in graph.subjects(RDF.type, psm.Asse) if isinstance(s, URIRef)):
        for relation in INHERITED:
            prop = psm[RELATIONS[relation][0]]
            for source_node in sorted(graph.objects(axis, psm.allineamentoQualificato)):
                if (source_node, psm.relazioneAllineamento, prop) not in graph:
                    continue
                target = graph.value(source_node, psm.concettoAllineato)
                code = str(source_node).rsplit(f"#allineamento-{relation}-", 1)[1]
                origin = origins.get((axis, prop))  # the axis's row: where to look
                for member in sorted(_below(graph, axis)):
                    node = URIRef(f"{member}#allineamento-{relation}-{code}")
                    if (member, psm.allineamentoQualificato, node) in graph:
                        continue  # a source states it for the member itself
                    graph.add((member, psm.allineamentoQualificato, node))
                    for p, o in (
                        (RDF.type, psm.AllineamentoQualificato),
                        (psm.concettoAllineato, target),
                        (psm.relazioneAllineamento, prop),
                        (psm.baseAllineamento, psm.derivato),
                        (psm.derivatoDa, source_node),
                    ):
                        graph.add((node, p, o))  # type: ignore[arg-type]
                    if origin is not None:
                        origins.setdefault((node, None), origin)


def _below(graph: Graph, axis: URIRef) -> set[URIRef]:
    """The strategies of an axis and their actions."""
    strategies = {s for s in graph.subjects(SKOS.broader, axis) if isinstance(s, URIRef)}
    actions = {a for s in strategies for a in graph.subjects(SKOS.broader, s) if isinstance(a, URIRef)}
    return strategies | actions
