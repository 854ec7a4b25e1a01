"""The one place that mints IRIs (design.md, "URIs"): everything is relative to the base."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from psm_ld import vocab

# The namespaces of the build, made from psm_ld.vocab's strings. Where rdflib has a closed
# namespace (DefinedNamespace) it is kept: a misspelt term fails at build time, and `DCTERMS.format`
# stays a term (on an open Namespace it would be str.format); tests/test_vocab.py checks that each
# one is vocab's IRI.
SH = Namespace(vocab.SH)
SKOSXL = Namespace(vocab.SKOSXL)
VANN = Namespace(vocab.VANN)
VOID = Namespace(vocab.VOID)
DCATAPIT = Namespace(vocab.DCATAPIT)

__all__ = [
    "DCAT", "DCATAPIT", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "SKOSXL", "VANN", "VOID",
    "XSD", "Iris",
]  # fmt: skip


class Iris:
    """IRIs of plan resources, vocabulary concepts and named graphs under one base."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.psm = Namespace(base + "ontologia#")
        self.ontology = URIRef(base + "ontologia")
        self.shapes = URIRef(base + "shapes")
        self.catalog = URIRef(base + "catalogo")  # also the name of the catalog metadata graph

    def __call__(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    # plan editions and their levels
    def plan(self, edition: str) -> URIRef:
        return self(f"psm/{edition}")

    def axis(self, edition: str, code: str) -> URIRef:
        return self(f"psm/{edition}/asse/{code}")

    def strategy(self, edition: str, code: str) -> URIRef:
        return self(f"psm/{edition}/strategia/{code}")

    def action(self, edition: str, code: str) -> URIRef:
        return self(f"psm/{edition}/azione/{code}")

    def declared_count(self, edition: str, owner: str, counted: str, source: str) -> URIRef:
        return self(f"psm/{edition}/conteggio/{owner}-{counted}-{source}")

    def label(self, resource: URIRef, n: int) -> URIRef:
        return URIRef(f"{resource}#denominazione-{n}")

    def source(self, key: str) -> URIRef:
        return self(f"fonte/{key}")

    # named graphs: one per dataset (design.md, "The flow")
    def graph(self, name: str) -> URIRef:
        return self(f"dataset/{name}")
