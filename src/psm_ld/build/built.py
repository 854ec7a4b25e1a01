"""What a build makes: the dataset of named graphs and, for every plan fact, the CSV cell it came
from (so a SHACL finding can name file, row and column)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef

from psm_ld.build.iris import Iris
from psm_ld.build.tables import Origin


@dataclass
class Built:
    """The dataset and where each of its plan facts came from."""

    dataset: Dataset
    iris: Iris
    origins: dict[tuple[URIRef, URIRef | None], Origin] = field(default_factory=dict)

    def origin_of(self, subject: object, predicate: object = None) -> Origin | None:
        if not isinstance(subject, URIRef):
            return None
        key_predicate = predicate if isinstance(predicate, URIRef) else None
        return self.origins.get((subject, key_predicate)) or self.origins.get((subject, None))

    def union(self) -> Graph:
        """All named graphs as one graph: what validation and the default graph see."""
        graph = Graph()
        for prefix, namespace in self.dataset.namespaces():
            graph.bind(prefix, namespace)
        for s, p, o, _ in self.dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
