"""A synthetic release for the scale test: the plan's N-Quads plus N made-up funded projects.

SYNTHETIC DATA, for load only: every project, code, amount, municipality and date is generated from
a fixed seed. It goes in its own named graph (<…/dataset/bench-sintetico>), with its own namespace
(<…/bench-sintetico#>), into a temporary build directory given by the caller — never into data/.

Each project has 12 or 13 triples (type, label, CUP-like code, amount, co-financing, municipality,
start and end dates, status, beneficiary, source note, one or two actions), so 80,000 projects
plus the plan make about one million triples.
"""

from __future__ import annotations

import os
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from psm_ld.query.store import write_index, write_numeric_literals
from psm_ld.release import DOCUMENTS_DIR, seal

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = "PREFIX syn: <{base}bench-sintetico#>\nPREFIX psm: <{base}ontologia#>\n"
PREFIXES += "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"

STATI = ("programmato", "in corso", "concluso", "sospeso")
BENEFICIARI = ("Comune", "Unione montana", "Città metropolitana", "ASL", "Consorzio", "Ente parco")


def actions_of(nquads: Path, base: str) -> list[str]:
    """The action IRIs of the release (subjects typed psm:Azione)."""
    azione = f"<{base}ontologia#Azione>"
    found = set()
    with nquads.open(encoding="utf-8") as lines:
        for line in lines:
            if f"<{RDF_TYPE}> {azione}" in line:
                found.add(line.split(" ", 1)[0][1:-1])
    return sorted(found)


def cup(n: int) -> str:
    """A CUP-like code (15 characters, letter-digits-letter-digits): synthetic, checksum-free."""
    return f"S{n % 100:02d}B{21 + n % 4}{n:09d}"


def write_release(plan_nquads: Path, build_dir: Path, projects: int, base: str, seed: int = 42) -> dict:
    """Write build_dir/releases/synthetic-N/psm.nq (plan + projects) and point build_dir/current at it."""
    rng = random.Random(seed)
    release = build_dir / "releases" / f"synthetic-{projects}"
    release.mkdir(parents=True, exist_ok=True)
    actions = actions_of(plan_nquads, base)
    if not actions:
        raise RuntimeError(f"no psm:Azione in {plan_nquads}")
    ns = f"{base}bench-sintetico#"
    graph = f"<{base}dataset/bench-sintetico>"
    comuni = [f"{base}bench-sintetico/comune/{i:03d}" for i in range(1, 313)]  # 312 municipalities
    day0 = date(2021, 1, 1)
    triples = 0
    with (release / "psm.nq").open("w", encoding="utf-8") as out:
        out.write(plan_nquads.read_text(encoding="utf-8"))
        triples += sum(1 for _ in plan_nquads.open(encoding="utf-8"))

        def quad(s: str, p: str, o: str) -> None:
            nonlocal triples
            out.write(f"{s} {p} {o} {graph} .\n")
            triples += 1

        for i, comune in enumerate(comuni, start=1):
            quad(f"<{comune}>", f"<{RDF_TYPE}>", f"<{ns}Comune>")
            quad(f"<{comune}>", f"<{RDFS_LABEL}>", f'"Comune sintetico {i:03d}"@it')
        for n in range(projects):
            s = f"<{base}bench-sintetico/progetto/{n}>"
            start = day0 + timedelta(days=rng.randrange(0, 1400))
            amount = rng.randrange(5_000_00, 25_000_000_00) / 100
            quad(s, f"<{RDF_TYPE}>", f"<{ns}ProgettoFinanziato>")
            quad(s, f"<{RDFS_LABEL}>", f'"Progetto sintetico {n}"@it')
            quad(s, f"<{ns}cup>", f'"{cup(n)}"')
            quad(s, f"<{ns}importo>", f'"{amount:.2f}"^^<{XSD}decimal>')
            quad(s, f"<{ns}cofinanziamento>", f'"{amount * rng.random() / 4:.2f}"^^<{XSD}decimal>')
            quad(s, f"<{ns}comune>", f"<{rng.choice(comuni)}>")
            quad(s, f"<{ns}dataAvvio>", f'"{start.isoformat()}"^^<{XSD}date>')
            end = start + timedelta(days=rng.randrange(90, 1500))
            quad(s, f"<{ns}dataFine>", f'"{end.isoformat()}"^^<{XSD}date>')
            quad(s, f"<{ns}stato>", f'"{rng.choice(STATI)}"')
            quad(s, f"<{ns}beneficiario>", f'"{rng.choice(BENEFICIARI)} (sintetico)"')
            quad(s, f"<{ns}nota>", '"Dato sintetico generato per il benchmark: non è un progetto reale."@it')
            for action in rng.sample(actions, 2 if n % 2 else 1):
                quad(s, f"<{ns}azione>", f"<{action}>")
    write_numeric_literals(release / "psm.nq")  # as a build does (a release's part)
    write_index(release / "psm.nq", base)  # so does the index a server reads at start
    documents = plan_nquads.parent / DOCUMENTS_DIR  # the plan's catalog: a server requires one
    if documents.is_dir():
        shutil.copytree(documents, release / DOCUMENTS_DIR, dirs_exist_ok=True)
    seal(release)  # the manifest a server checks before serving a release
    link = build_dir / "current"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(Path("releases") / release.name, link)
    return {"projects": projects, "triples": triples, "actions": len(actions), "path": str(release)}


def selective_query(base: str, code: str) -> str:
    return PREFIXES.format(base=base) + (
        "SELECT ?p ?importo ?comune ?avvio ?azione WHERE {\n"
        f'  ?p syn:cup "{code}" ; syn:importo ?importo ; syn:comune ?comune ; syn:dataAvvio ?avvio ;\n'
        "     syn:azione ?azione .\n}"
    )


def aggregate_query(base: str) -> str:
    return PREFIXES.format(base=base) + (
        "SELECT ?missione (SUM(?importo) AS ?totale) (COUNT(DISTINCT ?p) AS ?progetti) WHERE {\n"
        "  ?p syn:azione ?azione ; syn:importo ?importo .\n"
        "  ?azione skos:broader/skos:broader/psm:missionePNRR ?missione .\n"
        "} GROUP BY ?missione ORDER BY ?missione"
    )


def check_aggregate(store: ox.Store, base: str) -> int:
    """Rows of the aggregate (sanity: the axes do carry PNRR missions)."""
    return sum(1 for _ in store.query(aggregate_query(base), use_default_graph_as_union=True))
