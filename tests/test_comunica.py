"""An independent client: Comunica (npm @comunica/query-sparql, installed by `make test` from
package.json) querying the live /sparql endpoint and following dereferenced action URIs.

Link following needs the served RDF to name resources by the serving origin, so these tests use the
real server with IRI rewriting switched on (conftest `rewriting_server`: PSM_REWRITE_IRIS=1; canonical
base http://psm.example/).

Every query runs in one node process for the session (tests/comunica/session.js): comunica-sparql's
own engine and argument handling, given the arguments the CLI would get, one run at a time, each
with its HTTP cache emptied first as in a new CLI process. Starting node and loading Comunica took
about a second per query; a query itself takes milliseconds.
Node and Comunica must be installed: without them these tests fail, they do not skip.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Server

pytestmark = pytest.mark.slow  # Comunica (node) against a real server

ROOT = Path(__file__).resolve().parents[1]
COMUNICA = ROOT / "node_modules" / "@comunica" / "query-sparql" / "engine-default.js"
SESSION = ROOT / "tests" / "comunica" / "session.js"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RESULTS_JSON = "application/sparql-results+json"
TIMEOUT = 120  # seconds for one query, as the CLI runs had


@pytest.fixture(scope="session")
def origin(rewriting_server: Server) -> str:
    """The origin of the real server that serves RDF with IRIs under its own origin."""
    return rewriting_server.url


class Comunica:
    """comunica-sparql in one node process (tests/comunica/session.js): `run(args)` answers as the
    CLI would for those arguments, its exit status, standard output and standard error."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            ["node", str(SESSION)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=log.open("wb"), text=True, encoding="utf-8",
        )  # fmt: skip
        self.answers: queue.Queue[str] = queue.Queue()
        # a reader thread, so that a query that never answers fails at TIMEOUT instead of hanging
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put("")  # node ended

    def run(self, args: list[str]) -> tuple[int, str, str]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        try:
            line = self.answers.get(timeout=TIMEOUT)
        except queue.Empty:
            self.close()
            pytest.fail(f"Comunica gave no answer within {TIMEOUT} s to {args}")
        if not line:
            pytest.fail(f"Comunica's node process ended:\n{self.log.read_text()[-3000:]}")
        answer = json.loads(line)
        return answer["code"], answer["stdout"], answer["stderr"]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # session.js ends when its input does
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def comunica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Comunica]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make test` installs Node.js and runs `npm ci`")
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `npm ci` (make test does)")
    client = Comunica(tmp_path_factory.mktemp("comunica") / "node.log")
    yield client
    client.close()


def run_comunica(client: Comunica, sources: list[str], query: str) -> list[dict[str, str]]:
    """Run comunica-sparql; SELECT bindings as {variable: value}."""
    code, stdout, stderr = client.run([*sources, "-t", RESULTS_JSON, query])
    assert code == 0, f"comunica-sparql failed:\n{stderr[-3000:]}"
    data = json.loads(stdout)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def test_comunica_queries_the_endpoint(comunica: Comunica, origin: str) -> None:
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


def test_comunica_follows_dereferenced_action_uris(comunica: Comunica, origin: str) -> None:
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


def test_comunica_walks_action_strategy_axis_mission(comunica: Comunica, origin: str) -> None:
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
def test_comunica_query_forms(comunica: Comunica, origin: str, form: str, media: str) -> None:
    """The client matrix's Comunica row: ASK and the graph forms through the endpoint (SELECT above)."""
    mission = f"<{origin}pnrr/missione/M1>"
    query = {
        "ASK": f"ASK {{ {mission} <{SKOS}prefLabel> ?l }}",
        "CONSTRUCT": f"CONSTRUCT WHERE {{ {mission} ?p ?o }}",
        "DESCRIBE": f"DESCRIBE {mission}",
    }[form]
    code, stdout, stderr = comunica.run([f"sparql@{origin}sparql", "-t", media, query])
    assert code == 0, f"comunica-sparql failed:\n{stderr[-3000:]}"
    if form == "ASK":
        assert json.loads(stdout)["boolean"] is True
    else:
        lines = [line for line in stdout.splitlines() if line.strip()]
        assert len(lines) > 3 and all(line.startswith(mission) for line in lines)
