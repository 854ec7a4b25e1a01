"""Build-time downloads: every dataset (named graph) in every RDF format, the whole publication in
one file per format (N-Quads keeps the graphs), and the plan office's CSV tables.

Written into the release before it is switched in, so downloads are files, not per-request work.
The catalog graph is left out: it describes these files (sizes), so it cannot be inside them.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from psm_ld.query import conneg
from psm_ld.query.serialize import triples_to_bytes
from psm_ld.release import CSV_FORMAT, NQUADS_FORMAT, RDF_FORMATS, DownloadFormat

ALL = "psm-ld"  # the dataset that holds every graph; its files are psm.<suffix>


@dataclass(frozen=True)
class Dump:
    dataset: str  # dataset name: the local part of its graph <base>dataset/<name>
    format: DownloadFormat
    file: str
    size: int
    triples: int | None  # distinct triples; None for CSV tables
    entities: int | None = None  # distinct IRI subjects (VoID)
    table: str | None = None  # CSV: the table's name

    @property
    def key(self) -> str:
        return f"csv-{self.table}" if self.table else self.format.key


def write_dumps(nquads: bytes, graph_prefix: str, data_dir: Path, folder: Path, base: str) -> list[Dump]:
    """Write the downloads of a release (from its data graphs in N-Quads) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value.removeprefix(graph_prefix)].append(quad.triple)
    union = sorted(set().union(*graphs.values()), key=str)
    dumps = [_write(folder, ALL, "psm", NQUADS_FORMAT, nquads, union)]
    for fmt in RDF_FORMATS:
        data = _full(nquads, union, fmt, base)
        dumps.append(_write(folder, ALL, "psm", fmt, data, union))
    for name in sorted(graphs):
        triples = sorted(set(graphs[name]), key=str)
        for fmt in RDF_FORMATS:
            data = triples_to_bytes(triples, fmt.media_type, base, compact=False)
            dumps.append(_write(folder, name, name, fmt, data, triples))
    for table in sorted(data_dir.glob("psm-*/*.csv")):
        name = f"{table.parent.name}-{table.stem}"
        shutil.copyfile(table, folder / f"{name}.csv")
        size = (folder / f"{name}.csv").stat().st_size
        dumps.append(Dump(table.parent.name, CSV_FORMAT, f"{name}.csv", size, None, table=table.stem))
    return dumps


def _full(nquads: bytes, union: list[ox.Triple], fmt: DownloadFormat, base: str) -> bytes:
    if fmt.media_type == conneg.JSONLD:  # JSON-LD keeps the named graphs, like N-Quads
        quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
        return ox.serialize(quads, format=ox.RdfFormat.JSON_LD)  # type: ignore[return-value]
    return triples_to_bytes(union, fmt.media_type, base, compact=False)


def _write(
    folder: Path, dataset: str, stem: str, fmt: DownloadFormat, data: bytes, triples: list[ox.Triple]
) -> Dump:
    name = f"{stem}.{fmt.suffix}"
    (folder / name).write_bytes(data)
    entities = len({t.subject for t in triples if isinstance(t.subject, ox.NamedNode)})
    return Dump(dataset, fmt, name, len(data), len(triples), entities)
