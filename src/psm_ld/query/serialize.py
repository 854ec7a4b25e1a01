"""RDF and SPARQL-results output: pyoxigraph serializers where they fit (fast, streaming), rdflib for
JSON-LD (pyoxigraph writes it without a context; rdflib compacts with the project prefixes)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from psm_ld.query import conneg
from psm_ld.vocab import PREFIXES, XSD

if TYPE_CHECKING:
    from rdflib.term import Node

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


def prefixes(base: str) -> dict[str, str]:
    return {"psm": base + "ontologia#", **PREFIXES}


def triples_to_bytes(triples: Iterable[ox.Triple], media_type: str, base: str, compact: bool = True) -> bytes:
    """A graph in one of conneg.RDF_TYPES; Turtle/RDF-XML with the project prefixes.
    compact=False writes expanded JSON-LD with pyoxigraph: faster, and blank-node labels kept as
    given, which the build-time dumps need to stay byte-identical."""
    triples = list(triples)
    if media_type == conneg.JSONLD and not compact:
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)  # type: ignore[return-value]
    if media_type == conneg.JSONLD:
        # here: the query workers import this module, and rarely need rdflib
        from rdflib import Graph
        from rdflib.plugins.serializers.jsonld import from_rdf

        # SimpleMemory: one graph needs no index of contexts (a release's JSON-LD documents: 25% faster)
        graph = Graph(store="SimpleMemory")
        graph.addN((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object), graph) for t in triples)
        context = {name: iri for name, iri in prefixes(base).items() if name != "sh"}
        # rdflib's JSON-LD serializer is from_rdf and json.dumps: its objects are taken as they are
        document = from_rdf(graph, context_data=context, auto_compact=True)
        return json.dumps(_ordered(document), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    used = prefixes(base) if media_type != conneg.NTRIPLES else None
    return ox.serialize(triples, format=OX_RDF[media_type], prefixes=used)  # type: ignore[return-value]


def _rdflib(term: object) -> Node:
    """A pyoxigraph term as rdflib's, blank-node labels kept (a parse would make up new ones)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        plain = term.datatype.value == XSD + "string"
        return Literal(term.value, datatype=None if plain else URIRef(term.datatype.value))
    raise TypeError(f"no JSON-LD for RDF-star term {term}")


def _ordered(value: object) -> object:
    """JSON-LD in a stable order: rdflib writes nodes and values in set order, which changes from one
    process to the next. Arrays are sets in JSON-LD, except the items of an @list."""
    if isinstance(value, dict):
        return {key: _ordered_list(item) if key == "@list" else _ordered(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_ordered(item) for item in value]
        if len(items) < 2:  # nothing to order: spare the key, a whole JSON text per item
            return items
        return sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
    return value


def _ordered_list(items: object) -> object:
    return [_ordered(item) for item in items] if isinstance(items, list) else _ordered(items)


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
        elif term.datatype.value != XSD + "string":
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
