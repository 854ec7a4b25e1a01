"""An independent client: Comunica (npm @comunica/query-sparql, installed by `make test` from
package.json) querying the live /sparql endpoint and following dereferenced action URIs.

Link following needs the served RDF to name resources by the serving origin, so these tests use the
real server with IRI rewriting switched on (conftest `rewriting_server`: PSM_REWRITE_IRIS=1; canonical
base http://psm.example/).
Node and Comunica must be installed: without them these tests fail, they do not skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from servers import Server

pytestmark = pytest.mark.slow  # Comunica (node) against a real server

ROOT = Path(__file__).resolve().parents[1]
COMUNICA = ROOT / "node_modules" / ".bin" / "comunica-sparql"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RESULTS_JSON = "application/sparql-results+json"


@pytest.fixture(scope="session")
def origin(rewriting_server: Server) -> str:
    """The origin of the real server that serves RDF with IRIs under its own origin."""
    return rewriting_server.url


@pytest.fixture(scope="session")
def comunica() -> Path:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make test` installs Node.js and runs `npm ci`")
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `npm ci` (make test does)")
    return COMUNICA


def run_comunica(cli: Path, sources: list[str], query: str) -> list[dict[str, str]]:
    """Run the comunica-sparql CLI; SELECT bindings as {variable: value}."""
    done = subprocess.run(
        ["node", str(cli), *sources, "-t", RESULTS_JSON, query],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"comunica-sparql failed:\n{done.stderr[-3000:]}"
    data = json.loads(done.stdout)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def test_comunica_queries_the_endpoint(comunica: Path, origin: str) -> None:
    rows = run_comunica(
        comunica,
        [f"sparql@{origin}sparql"],
        f"""SELECT ?azione ?codice ?titolo WHERE {{
              ?azione a <{origin}ontologia#Azione> ; <{SKOS}inScheme> <{origin}psm/2021-2023> ;
                      <{SKOS}notation> ?codice .
              OPTIONAL {{ ?azione <{SKOS}prefLabel> ?titolo }}
            }} ORDER BY ?codice""",
    )
    codes = {r["codice"]: r for r in rows}
    assert "2.1.1" in codes and "2.1.3" in codes
    assert codes["2.1.3"]["titolo"] == "Gran Bosco Torino"
    # IRIs come back on the serving origin, so a client can follow them
    assert codes["2.1.1"]["azione"] == f"{origin}psm/2021-2023/azione/2.1.1"


def test_comunica_follows_dereferenced_action_uris(comunica: Path, origin: str) -> None:
    actions = run_comunica(
        comunica,
        [f"sparql@{origin}sparql"],
        f"SELECT ?azione ?titolo WHERE {{ ?azione a <{origin}ontologia#Azione> ; <{SKOS}inScheme> "
        f"<{origin}psm/2021-2023> ; <{SKOS}prefLabel> ?titolo }} ORDER BY ?azione LIMIT 3",
    )
    assert len(actions) == 3
    for action in actions:
        # the action's own URI as the source: Comunica dereferences it (303 → RDF document)
        described = run_comunica(
            comunica,
            [action["azione"]],
            f"SELECT ?titolo ?strategia WHERE {{ <{action['azione']}> <{SKOS}prefLabel> ?titolo ; "
            f"<{SKOS}broader> ?strategia }}",
        )
        assert described, f"nothing about {action['azione']} in its own document"
        assert described[0]["titolo"] == action["titolo"]
        assert described[0]["strategia"].startswith(f"{origin}psm/2021-2023/strategia/")


def test_comunica_walks_action_strategy_axis_mission(comunica: Path, origin: str) -> None:
    """Follow links document by document: action → strategy → axis → the axis's PNRR mission."""
    action = f"{origin}psm/2021-2023/azione/2.1.1"
    strategy = run_comunica(comunica, [action], f"SELECT ?s WHERE {{ <{action}> <{SKOS}broader> ?s }}")[0][
        "s"
    ]
    axis = run_comunica(
        comunica,
        [action, strategy],
        f"SELECT DISTINCT ?a WHERE {{ <{action}> <{SKOS}broader>/<{SKOS}broader> ?a }}",
    )[0]["a"]
    assert axis == f"{origin}psm/2021-2023/asse/2"
    missions = run_comunica(
        comunica,
        [axis],
        f"SELECT DISTINCT ?m ?codice WHERE {{ <{axis}> <{origin}ontologia#missionePNRR> ?m . "
        f"OPTIONAL {{ ?m <{SKOS}notation> ?codice }} }}",
    )
    assert [m["m"] for m in missions] == [f"{origin}pnrr/missione/M2"]
    # the mission's own document names it
    label = run_comunica(
        comunica,
        [missions[0]["m"]],
        f"SELECT ?l WHERE {{ <{missions[0]['m']}> <{SKOS}prefLabel> ?l FILTER(LANG(?l) = 'it') }}",
    )
    assert label[0]["l"] == "Rivoluzione verde e transizione ecologica"


@pytest.mark.parametrize(
    ("form", "media"),
    [("ASK", RESULTS_JSON), ("CONSTRUCT", "application/n-triples"), ("DESCRIBE", "application/n-triples")],
)
def test_comunica_query_forms(comunica: Path, origin: str, form: str, media: str) -> None:
    """The client matrix's Comunica row: ASK and the graph forms through the endpoint (SELECT above)."""
    mission = f"<{origin}pnrr/missione/M1>"
    query = {
        "ASK": f"ASK {{ {mission} <{SKOS}prefLabel> ?l }}",
        "CONSTRUCT": f"CONSTRUCT WHERE {{ {mission} ?p ?o }}",
        "DESCRIBE": f"DESCRIBE {mission}",
    }[form]
    done = subprocess.run(
        ["node", str(comunica), f"sparql@{origin}sparql", "-t", media, query],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"comunica-sparql failed:\n{done.stderr[-3000:]}"
    if form == "ASK":
        assert json.loads(done.stdout)["boolean"] is True
    else:
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        assert len(lines) > 3 and all(line.startswith(mission) for line in lines)
