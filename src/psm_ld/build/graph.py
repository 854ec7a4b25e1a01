"""The one place that builds the graph: data/ CSV tables and Turtle files → an rdflib Dataset.

Named graphs (design.md, "The flow"): one per plan edition (`dataset/psm-2021-2023`), one per
vocabulary file (`dataset/pnrr`, …), one for the ontology, one for the shapes and one (`catalogo`) for the
DCAT-AP_IT catalog metadata of data/catalogo.ttl.
Every triple made from a CSV cell remembers its origin, so a SHACL finding can name file, row, column.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from psm_ld.build.built import Built
from psm_ld.build.edition import EDITION_DIR, EditionBuilder
from psm_ld.build.iris import DCAT, DCTERMS, RDF, SKOS, SKOSXL, Iris
from psm_ld.build.tables import CONTROL_CHARACTERS, ErrorLog, Origin
from psm_ld.config import Settings


def build(settings: Settings) -> Built:
    """Read everything under data/, ontology/ and shapes/; raise BuildError listing all bad input."""
    iris = Iris(settings.base_uri)
    log = ErrorLog()
    built = Built(Dataset(), iris)
    _bind_prefixes(built.dataset, iris)
    root = settings.root
    _load_turtle(built, settings.ontology_file, iris.graph("ontologia"), root, log)
    _load_turtle(built, settings.shapes_file, iris.graph("shapes"), root, log)
    for path in sorted((settings.data_dir / "vocabolari").glob("*.ttl")):
        _load_turtle(built, path, iris.graph(path.stem), root, log)
    _load_turtle(built, settings.data_dir / "catalogo.ttl", iris.catalog, root, log)
    log.raise_if_any()  # plan tables refer to vocabulary concepts: those must load first
    for folder in sorted(settings.data_dir.glob("psm-*")):
        match = EDITION_DIR.match(folder.name)
        if folder.is_dir() and match:
            EditionBuilder(built, folder, match.group(1), root, log).run()
    _check_catalog_records(built, log)
    log.raise_if_any()
    return built


def _check_catalog_records(built: Built, log: ErrorLog) -> None:
    """Every published graph is a dataset that data/catalogo.ttl describes, and nothing else is."""
    catalog = built.dataset.graph(built.iris.catalog)
    records = {s for s in catalog.subjects(RDF.type, DCAT.Dataset)} - {built.iris.graph("psm-ld")}
    graphs = {g.identifier for g in built.dataset.graphs() if len(g)} - {built.iris.catalog}
    for missing in sorted(graphs - records):
        log.add(Origin("data/catalogo.ttl"), f"manca la descrizione del dataset <{missing}> (dcat:Dataset)")
    for extra in sorted(records - graphs):
        log.add(Origin("data/catalogo.ttl"), f"il dataset <{extra}> è descritto ma non ha dati")


def _bind_prefixes(dataset: Dataset, iris: Iris) -> None:
    dataset.bind("psm", iris.psm)
    dataset.bind("skos", SKOS)
    dataset.bind("skosxl", SKOSXL)
    dataset.bind("dct", DCTERMS)


def _load_turtle(built: Built, path: Path, graph_name: URIRef, root: Path, log: ErrorLog) -> None:
    """Parse a Turtle file whose relative IRIs resolve against the base."""
    name = path.relative_to(root).as_posix()
    graph = built.dataset.graph(graph_name)
    try:
        graph.parse(path, format="turtle", publicID=built.iris.base)
    except (BadSyntax, UnicodeDecodeError, ValueError) as exc:
        log.add(Origin(name), f"Turtle non valido: {exc}")
        return
    for subject in set(graph.subjects()):
        if isinstance(subject, URIRef):
            built.origins.setdefault((subject, None), Origin(name))
    for s, p, o in graph:  # "\u0000" is valid Turtle, but never text to publish (tables.py)
        if isinstance(o, Literal) and (found := CONTROL_CHARACTERS.search(str(o))):
            log.add(
                Origin(name),
                f"carattere di controllo U+{ord(found.group()):04X} in un letterale di <{s}> <{p}>",
            )
