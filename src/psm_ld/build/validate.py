"""SHACL validation of a built dataset (pyshacl), with findings traced back to the CSV cell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyshacl.shape
from pyshacl import validate as shacl_validate
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from psm_ld.build.built import Built
from psm_ld.build.iris import RDF, SH, XSD
from psm_ld.build.tables import Origin


@dataclass(frozen=True)
class Finding:
    severity: str  # "Violation" | "Warning" | "Info"
    focus: str
    path: str | None
    value: str | None
    message_it: str
    message_en: str
    shape: str | None
    origin: Origin | None

    @property
    def is_violation(self) -> bool:
        return self.severity == "Violation"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": {"it": self.message_it, "en": self.message_en},
            "shape": self.shape,
            "origin": self.origin.as_dict() if self.origin else None,
        }


@dataclass(frozen=True)
class Report:
    findings: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.is_violation]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_violation]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }


def shapes_graph(built: Built) -> Graph:
    """The shapes, with the `psm` SPARQL prefix declared for this build's base IRI."""
    shapes = Graph()
    for triple in built.dataset.graph(built.iris.graph("shapes")):
        shapes.add(triple)
    declaration = BNode("psm-prefix")
    shapes.add((built.iris.shapes, SH.declare, declaration))
    shapes.add((declaration, SH.prefix, Literal("psm")))
    shapes.add((declaration, SH.namespace, Literal(str(built.iris.psm), datatype=XSD.anyURI)))
    return shapes


class PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once. pyshacl runs a SPARQL constraint once per focus
    node with the same text and `$this` bound; rdflib would parse it every time (pyparsing: about
    30 ms a parse, 80% of validation before this)."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str) and not kwargs.get("initNs") and not kwargs.get("base"):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


_check_invalid_sparql = SPARQLQueryHelper.check_invalid_sparql


@lru_cache(maxsize=256)
def _checked_sparql(text: str, with_value: bool, extravars: frozenset[str]) -> bool:
    return _check_invalid_sparql(SPARQLQueryHelper, text, True if with_value else None, set(extravars))


def _check_sparql_once(
    self: SPARQLQueryHelper, sparql_text: str, valuenode: object = None, extravars: object = None
) -> bool:
    """pyshacl's check that a SPARQL constraint has no MINUS, VALUES, SERVICE, ... (True, or it
    raises ValidationFailure), remembered per query text. pyshacl runs it before each focus node's
    query, with the same text every time; its regular expressions backtrack over the whole text and
    took a quarter of a validation. The check reads only the text, whether a value node is bound and
    the extra variables' names (its regular expressions are the class's), so the answer is the same;
    a refusal is not remembered and raises again each time."""
    return _checked_sparql(sparql_text, valuenode is not None, frozenset(extravars or ()))  # type: ignore[arg-type]


SPARQLQueryHelper.check_invalid_sparql = _check_sparql_once  # type: ignore[method-assign]


class ConstraintParameters(list[URIRef]):
    """pyshacl's list of constraint parameters (sh:class, sh:minCount, ...), the same items in the
    same order, that answers `in` by hash. pyshacl tests each predicate of a shape against the list
    every time it evaluates the shape: `p in list` compared URIRefs one by one (Python-level
    `__eq__`, some 35 per predicate; 365,000 calls a validation of the plan, about a tenth of its
    time). Equal terms have equal hashes, so the set finds what the list's comparisons found."""

    def __init__(self, parameters: list[URIRef]) -> None:
        super().__init__(parameters)
        self._members = frozenset(parameters)

    def __contains__(self, item: object) -> bool:
        return item in self._members


# read by pyshacl.shape.Shape.validate, which sets it on first use if absent
pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
    ConstraintParameters(ALL_CONSTRAINT_PARAMETERS),
    CONSTRAINT_PARAMETERS_MAP,
)


def data_graph(built: Built) -> Graph:
    """Everything but the shapes: plan editions, vocabularies, ontology."""
    shapes_name = built.iris.graph("shapes")
    graph = PreparedQueryGraph()
    for s, p, o, g in built.dataset.quads((None, None, None, None)):
        if g != shapes_name:
            graph.add((s, p, o))
    return graph


def validate(built: Built) -> Report:
    shapes = shapes_graph(built)
    _, results, _ = shacl_validate(
        data_graph(built), shacl_graph=shapes, inference="none", allow_warnings=True
    )
    return Report(sorted(_findings(results, shapes, built), key=_order))


def findings_on(built: Built, node: URIRef) -> list[Finding]:
    """The findings on `node` that the shapes targeting it give, in `validate()`'s order, at the cost
    of one node: a subset of `[f for f in validate(built).findings if f.focus == str(node)]`, the
    whole of it unless a shape reached from another node through `sh:node` also reports on `node`
    (pyshacl passes on the nested results). For tests that break one node and look at its findings.

    The shapes are validated as they are, but each shape whose targets select `node` targets `node`
    alone and the others nothing: targets matter only at the top level, a shape reached through
    another is evaluated on its value nodes whatever its targets say. (pyshacl's `focus_nodes`
    option would also filter the value nodes of nested shapes, and its `use_shapes` drops the named
    shapes they reach, so neither gives the same results.)"""
    shapes = shapes_graph(built)
    data = data_graph(built)
    classes = {s for c in (RDFS.Class, OWL.Class) for s in shapes.subjects(RDF.type, c)}
    implicit = [
        s for s in classes if (s, RDF.type, SH.NodeShape) in shapes or (s, SH.property, None) in shapes
    ]
    if implicit:  # a shape that is a class targets its instances without a target triple to replace
        raise ValueError(f"shapes that are classes cannot be narrowed to one node: {implicit}")
    targeting = {shape.node for shape in ShapesGraph(shapes).shapes if node in shape.focus_nodes(data)}
    for target in _TARGETS:
        shapes.remove((None, target, None))
    for shape_node in targeting:
        shapes.add((shape_node, SH.targetNode, node))
    _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = _findings(results, shapes, built)
    return sorted((f for f in found if f.focus == str(node)), key=_order)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _messages(results: Graph, result: Node, shapes: Graph) -> dict[str | None, str]:
    """Messages by language. pyshacl drops the language of SPARQL-constraint messages when it fills
    in their {?var} templates, so those get it back from the template they match."""
    templates = list(shapes.objects(results.value(result, SH.sourceConstraint), SH.message))
    messages: dict[str | None, str] = {}
    for message in results.objects(result, SH.resultMessage):
        language = message.language or next(
            (t.language for t in templates if _fills(str(t), str(message))), None
        )
        messages[language] = str(message)
    return messages


def _fills(template: str, message: str) -> bool:
    pattern = "".join(".*?" if part.startswith("{") else re.escape(part) for part in _SLOTS.split(template))
    return re.fullmatch(pattern, message, flags=re.DOTALL) is not None


_SLOTS = re.compile(r"(\{[?$]\w+\})")


def _findings(results: Graph, shapes: Graph, built: Built) -> list[Finding]:
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        messages = _messages(results, result, shapes)
        fallback = next(iter(messages.values()), "")
        findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None else None,
                message_it=messages.get("it", fallback),
                message_en=messages.get("en", fallback),
                shape=_shape_name(results.value(result, SH.sourceShape)),
                origin=built.origin_of(focus, path),
            )
        )
    return findings


def _shape_name(shape: object) -> str | None:
    return str(shape) if isinstance(shape, URIRef) else None


def _order(f: Finding) -> tuple[object, ...]:
    origin = f.origin or Origin("~")
    return (not f.is_violation, origin.file, origin.row or 0, f.focus, f.message_it)
