"""Completeness report: what each source declares against what the data holds, per edition and axis.

It is made of the named queries in queries/ (the same ones the public can run), not of its own SPARQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from psm_ld.queries import NamedQuery
from psm_ld.query.store import rows, run_named


@dataclass
class EditionReport:
    edition: str
    declared: list[dict[str, str]] = field(default_factory=list)  # conteggi-dichiarati
    axes: list[dict[str, str]] = field(default_factory=list)  # conteggi-per-asse
    incomplete: list[dict[str, str]] = field(default_factory=list)  # azioni-incomplete
    alignments: list[dict[str, str]] = field(default_factory=list)  # allineamenti (with their basis)

    def by_basis(self) -> dict[str, int]:
        """How many alignments rest on each basis: stated, interpretation, derived by rule."""
        counts: dict[str, int] = {}
        for row in self.alignments:
            counts[row["base"]] = counts.get(row["base"], 0) + 1
        return counts

    def as_dict(self) -> dict[str, object]:
        return {
            "edition": self.edition,
            "declared_counts": self.declared,
            "axes": self.axes,
            "incomplete_actions": self.incomplete,
            "alignments": self.alignments,
            "alignments_by_basis": self.by_basis(),
        }


def completeness(store: ox.Store, queries: dict[str, NamedQuery], base: str) -> list[EditionReport]:
    plans = store.query(
        "PREFIX psm: <ontologia#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        " SELECT DISTINCT ?e WHERE { ?p a psm:PianoStrategico ; skos:notation ?e } ORDER BY ?e",
        base_iri=base,
        use_default_graph_as_union=True,
    )
    reports = []
    for solution in plans:
        edition = solution["e"].value
        given = {"edizione": edition}
        reports.append(
            EditionReport(
                edition,
                declared=rows(run_named(store, queries["conteggi-dichiarati"], base, given)),
                axes=rows(run_named(store, queries["conteggi-per-asse"], base, given)),
                incomplete=rows(run_named(store, queries["azioni-incomplete"], base, given)),
                alignments=rows(run_named(store, queries["allineamenti"], base, given)),
            )
        )
    return reports
