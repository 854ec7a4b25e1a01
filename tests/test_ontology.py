"""The ontology documents itself in Italian and English, and the data uses only terms it defines."""

from __future__ import annotations

from kg import BASE, fresh_build
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

PSM = BASE + "ontologia#"


def ontology_graph():  # type: ignore[no-untyped-def]
    return fresh_build().dataset.graph(URIRef(BASE + "dataset/ontologia"))


def test_every_term_has_italian_and_english_labels_and_definitions() -> None:
    graph = ontology_graph()
    terms = {s for s in graph.subjects(RDF.type, None) if str(s).startswith(PSM)}
    assert len(terms) >= 20
    for term in terms:
        labels = {label.language for label in graph.objects(term, RDFS.label)}
        notes = {n.language for n in graph.objects(term, SKOS.definition)} | {
            n.language for n in graph.objects(term, RDFS.comment)
        }
        assert labels == {"it", "en"}, term
        assert {"it", "en"} <= notes, term
        assert (term, RDFS.isDefinedBy, URIRef(BASE + "ontologia")) in graph, term


def test_ontology_metadata() -> None:
    graph = ontology_graph()
    ontology = URIRef(BASE + "ontologia")
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert graph.value(ontology, OWL.versionInfo) is not None
    assert graph.value(ontology, URIRef("http://purl.org/dc/terms/license")) is not None
    assert str(graph.value(ontology, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))) == "psm"


def test_plan_data_uses_only_defined_terms() -> None:
    built = fresh_build()
    defined = set(ontology_graph().subjects(RDF.type, None))
    used = set()
    for _s, p, o, _ in built.dataset.quads((None, None, None, None)):
        used |= {t for t in (p, o) if isinstance(t, URIRef) and str(t).startswith(PSM)}
    assert used and used <= defined, used - defined
