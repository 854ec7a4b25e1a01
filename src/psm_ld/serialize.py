"""RDF and SPARQL-results output: pyoxigraph serializers where they fit (fast, streaming), rdflib for
JSON-LD (pyoxigraph writes it without a context; rdflib compacts with the project prefixes)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from . import conneg

OX_RDF = {
    conneg.TURTLE: ox.RdfFormat.TURTLE,
    conneg.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    conneg.RDFXML: ox.RdfFormat.RDF_XML,
}
OX_RESULTS = {
    conneg.RESULTS_JSON: ox.QueryResultsFormat.JSON,
    conneg.RESULTS_XML: ox.QueryResultsFormat.XML,
    conneg.CSV: ox.QueryResultsFormat.CSV,
    conneg.TSV: ox.QueryResultsFormat.TSV,
}

STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


def prefixes(base: str) -> dict[str, str]:
    return {"psm": base + "ontologia#", **STANDARD_PREFIXES}


def triples_to_bytes(triples: Iterable[ox.Triple], media_type: str, base: str, compact: bool = True) -> bytes:
    """A graph in one of conneg.RDF_TYPES; Turtle/RDF-XML with the project prefixes.
    compact=False writes expanded JSON-LD with pyoxigraph: faster, and blank-node labels kept as
    given, which the build-time dumps need to stay byte-identical."""
    triples = list(triples)
    if media_type == conneg.JSONLD and not compact:
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)  # type: ignore[return-value]
    if media_type == conneg.JSONLD:
        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        context = {name: iri for name, iri in prefixes(base).items() if name != "sh"}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    used = prefixes(base) if media_type != conneg.NTRIPLES else None
    return ox.serialize(triples, format=OX_RDF[media_type], prefixes=used)  # type: ignore[return-value]


def term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    """A term as in SPARQL 1.1 Query Results JSON (with the RDF-star triple extension)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def results_json_head(variables: list[str]) -> str:
    return '{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":['


def rewrite(data: bytes, base: str, origin: str) -> bytes:
    """Canonical IRIs -> serving origin, on the serialized bytes. Every format here writes IRIs
    (and prefix declarations) as plain text, so one replace keeps a document consistent."""
    if origin == base:
        return data
    return data.replace(base.encode("utf-8"), origin.encode("utf-8"))
