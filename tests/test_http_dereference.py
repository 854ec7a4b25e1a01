"""Dereferencing every kind of IRI in the release, against the app in-process (tests/conftest.py)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from servers import Serving

# every store mode (conftest, tests/modes.py): memory, disk, Oxigraph server, Virtuoso
pytestmark = pytest.mark.every_store

RDF_FORMATS = {
    ".ttl": ("text/turtle", "turtle"),
    ".jsonld": ("application/ld+json", "json-ld"),
    ".rdf": ("application/rdf+xml", "xml"),
    ".nt": ("application/n-triples", "nt"),
}
# one resource of every kind (design.md, "URIs")
KINDS = {
    "plan": "psm/2021-2023",
    "axis": "psm/2021-2023/asse/1",
    "strategy": "psm/2021-2023/strategia/1.1",
    "action": "psm/2021-2023/azione/2.1.1",
    "pnrr mission": "pnrr/missione/M1",
    "pnrr component": "pnrr/componente/M1C1",
    "pnrr scheme": "pnrr",
    "cohesion objective": "coesione/2021-2027/obiettivo/OP1",
    "cohesion specific objective": "coesione/2021-2027/obiettivo-specifico/RSO1.1",
    "eu programme": "programma-ue/cef",
    "funding instrument": "strumento-finanziamento/eafrd",
    "ontology": "ontologia",
    "shapes": "shapes",
    "source": "fonte/presentazione",
    "dataset (named graph)": "dataset/psm-2021-2023",
    # literals as the release writes them ("111"^^xsd:nonNegativeInteger), not as the store keeps them
    "declared count": "psm/2021-2023/conteggio/piano-azioni-presentazione",
    "distribution": "dataset/psm-2021-2023/distribuzione/turtle",
}


def parse(response, syntax: str) -> Graph:  # type: ignore[no-untyped-def]
    graph = Graph()
    graph.parse(data=response.content, format=syntax)
    return graph


def expected(server: Serving, iri: str) -> set[tuple[object, object, object]]:
    """The release's triples about `iri` (outgoing and incoming; blank nodes left out), with IRIs as
    the server should write them."""
    node = URIRef(iri)
    triples = {(s, p, o) for s, p, o, _ in server.release_dataset().quads((node, None, None, None))}
    triples |= {(s, p, o) for s, p, o, _ in server.release_dataset().quads((None, None, node, None))}
    return {
        tuple(map(lambda t: served_term(server, t), t))
        for t in triples
        if not any(isinstance(x, BNode) for x in t)
    }


def served_term(server: Serving, term: object) -> object:
    if server.rewrite and isinstance(term, URIRef) and str(term).startswith(server.base):
        return URIRef(server.url + str(term)[len(server.base) :])
    return term


@pytest.mark.parametrize("path", KINDS.values(), ids=KINDS.keys())
def test_resource_303_to_turtle_document(other_origin: Serving, path: str) -> None:
    server = other_origin
    response = server.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == server.url + path + ".ttl"
    assert "Accept" in response.headers["vary"]

    document = server.get(response.headers["location"])
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("text/turtle")
    assert "Accept" in document.headers["vary"]
    assert document.headers["access-control-allow-origin"] == "*"
    assert document.headers["etag"] and document.headers["last-modified"]
    link = document.headers["link"]
    for suffix, (media, _) in RDF_FORMATS.items():
        assert f'<{server.url}{path}{suffix}>; rel="alternate"; type="{media}"' in link
    assert f'<{server.url}{path}.html>; rel="alternate"; type="text/html"' in link
    assert f'<{server.base}{path}.ttl>; rel="canonical"' in link

    graph = parse(document, "turtle")
    wanted = expected(server, server.base + path)
    assert any(graph.triples((URIRef(server.base + path), None, None)))
    missing = wanted - set(graph)
    assert not missing, f"{len(missing)} triples missing, e.g. {sorted(missing)[:3]}"


@pytest.mark.parametrize("suffix", RDF_FORMATS)
def test_every_rdf_format_parses_with_the_same_triples(other_origin: Serving, suffix: str) -> None:
    path = KINDS["action"]
    media, syntax = RDF_FORMATS[suffix]
    response = other_origin.get(path + suffix)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = parse(response, syntax)
    reference = parse(other_origin.get(path + ".nt"), "nt")
    assert len(graph) == len(reference) > 10
    assert not (expected(other_origin, other_origin.base + path) - set(graph))


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ".html"),  # a browser
        ("application/ld+json", ".jsonld"),
        ("application/rdf+xml", ".rdf"),
        ("application/n-triples", ".nt"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", ".jsonld"),
        ("*/*", ".html"),
    ],
)
def test_negotiation_picks_the_document(other_origin: Serving, accept: str, suffix: str) -> None:
    response = other_origin.get(KINDS["axis"], headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"].endswith(KINDS["axis"] + suffix)


def test_format_parameter_overrides_accept(other_origin: Serving) -> None:
    response = other_origin.get(KINDS["strategy"] + "?format=ttl", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].endswith(".ttl")


def test_unacceptable_format_is_406(other_origin: Serving) -> None:
    assert other_origin.get(KINDS["action"], headers={"Accept": "image/png"}).status_code == 406


def test_html_document(other_origin: Serving) -> None:
    response = other_origin.get(KINDS["action"] + ".html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["etag"] and "Accept" in response.headers["vary"]
    assert "2.1.1" in response.text


def test_etag_gives_304(other_origin: Serving) -> None:
    first = other_origin.get(KINDS["axis"] + ".ttl")
    again = other_origin.get(KINDS["axis"] + ".ttl", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    other = other_origin.get(KINDS["axis"] + ".nt", headers={"If-None-Match": first.headers["etag"]})
    assert other.status_code == 200  # another representation has another tag


def test_head_request(other_origin: Serving) -> None:
    with other_origin.client() as client:
        response = client.head(KINDS["axis"] + ".ttl")
    assert response.status_code == 200
    assert response.headers["etag"]


@pytest.mark.parametrize(
    ("path", "accept", "media"),
    [
        ("psm/2021-2023/azione/9.9.9", "text/html", "text/html"),
        ("psm/2021-2023/azione/9.9.9", "text/turtle", "text/plain"),
        ("nessuna/risorsa.ttl", "text/turtle", "text/plain"),
        ("ontologia/Inesistente", "text/plain", "text/plain"),
    ],
)
def test_unknown_iri_is_404(other_origin: Serving, path: str, accept: str, media: str) -> None:
    response = other_origin.get(path, headers={"Accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(media)


@pytest.mark.parametrize(
    ("document", "member"),
    [
        ("ontologia", "ontologia#Azione"),
        ("psm/2021-2023", "psm/2021-2023#periodo"),
        ("psm/2021-2023/asse/1", "psm/2021-2023/asse/1#denominazione-1"),
    ],
)
def test_hash_iris_are_described_by_their_document(other_origin: Serving, document: str, member: str) -> None:
    graph = parse(other_origin.get(document + ".ttl"), "turtle")
    node = URIRef(other_origin.base + member)
    assert not (expected(other_origin, str(node)) - set(graph))
    assert any(graph.triples((node, None, None)))


def test_document_has_labels_of_what_it_mentions(other_origin: Serving) -> None:
    graph = parse(other_origin.get(KINDS["action"] + ".ttl"), "turtle")
    azione = URIRef(other_origin.base + "ontologia#Azione")
    assert (azione, RDFS.label, Literal("Azione", lang="it")) in graph
    assert (URIRef(other_origin.base + KINDS["action"]), RDF.type, azione) in graph


def test_shapes_document_closes_blank_nodes(other_origin: Serving) -> None:
    graph = parse(other_origin.get("shapes.ttl"), "turtle")
    objects = {o for o in graph.objects() if isinstance(o, BNode)}
    assert objects, "shapes use blank nodes (sh:property [...])"
    assert all(any(graph.triples((o, None, None))) for o in objects)


def test_without_rewriting_rdf_keeps_canonical_iris(other_origin: Serving) -> None:
    text = other_origin.get(KINDS["action"] + ".nt").text
    assert f"<{OTHER}psm/2021-2023/azione/2.1.1>" in text
    assert other_origin.url not in text


def test_with_rewriting_rdf_uses_the_serving_origin(rewriting: Serving) -> None:
    path = KINDS["action"]
    response = rewriting.get(path, headers={"Accept": "text/turtle"})
    assert response.headers["location"] == rewriting.url + path + ".ttl"
    document = rewriting.get(response.headers["location"])
    assert OTHER not in document.text
    graph = parse(document, "turtle")
    assert not (expected(rewriting, OTHER + path) - set(graph))
    # a link-following client can dereference what it reads
    broader = graph.value(URIRef(rewriting.url + path), URIRef("http://www.w3.org/2004/02/skos/core#broader"))
    assert str(broader).startswith(rewriting.url)
    assert rewriting.get(str(broader), headers={"Accept": "text/turtle"}).status_code == 303


@pytest.mark.parametrize("path", ["psm/2021-2023/azione/2.1.1", "ontologia", "pnrr/missione/M1"])
def test_same_origin_as_base(same_origin: Serving, path: str) -> None:
    response = same_origin.get(path, headers={"Accept": "application/ld+json"})
    assert response.status_code == 303
    assert response.headers["location"] == same_origin.url + path + ".jsonld"
    graph = parse(same_origin.get(response.headers["location"]), "json-ld")
    assert not (expected(same_origin, same_origin.base + path) - set(graph))
    html = same_origin.get(path + ".html")
    assert html.status_code == 200 and same_origin.url in html.text


OTHER = "http://psm.example/"
