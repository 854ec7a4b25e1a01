"""Build: deterministic releases, clear errors for bad input, and a failed build never replaces a release."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kg import BASE, project_copy, real_nquads, settings
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from psm_ld.build.graph import build
from psm_ld.build.tables import BuildError
from psm_ld.build.write import _graph_names, _term, blank_node_prefix, canonical_lines
from psm_ld.config import PROJECT_ROOT as PROJECT
from psm_ld.release import current_release

TABLES = Path("data/psm-2021-2023")


def cli(root: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m psm_ld ARGS` in a fresh process, as a user runs it."""
    env = {**os.environ, **cli_env(root, build_dir)}
    return subprocess.run(
        [sys.executable, "-m", "psm_ld", *args], env=env, capture_output=True, text=True, check=False
    )


def cli_env(root: Path, build_dir: Path) -> dict[str, str]:
    return {"PSM_ROOT": str(root), "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE, "COLUMNS": "200"}


def cli_here(root: Path, build_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The same command line run in this process (click's CliRunner: the settings from the same
    environment, exit code, stdout and stderr apart), without paying a fresh interpreter and its
    imports: for the tests about what a command says, not about the process (`cli` for those).
    `env` adds variables (PSM_*) to the command's environment."""
    from typer.testing import CliRunner

    from psm_ld.cli import app

    result = CliRunner().invoke(app, list(args), env={**cli_env(root, build_dir), **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["psm-ld", *args], result.exit_code, result.stdout, result.stderr)


def errors_for(root: Path) -> list[str]:
    with pytest.raises(BuildError) as caught:
        build(settings(root))
    return [str(e) for e in caught.value.errors]


def edit(root: Path, table: str, old: str, new: str) -> None:
    path = root / TABLES / table
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {table}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_blank_nodes_are_labelled_as_rdflib_labels_them() -> None:
    """canonical_lines hands rdflib's canonical labelling an indexed copy of each graph (write._Linked):
    its lines must be the ones a plain copy gives, in every graph with blank nodes."""
    dataset = build(settings()).dataset
    with_blank_nodes = 0
    for name in _graph_names(dataset):
        triples = list(dataset.graph(name))
        if not any(isinstance(term, BNode) for triple in triples for term in triple):
            continue
        with_blank_nodes += 1
        plain = Graph()
        for triple in triples:
            plain.add(triple)
        prefix = blank_node_prefix(name)
        labelled = to_canonical_graph(plain)
        expected = {f"{' '.join(_term(term, prefix) for term in triple)} <{name}> .\n" for triple in labelled}
        assert set(canonical_lines(dataset.graph(name))) == expected, name
    assert with_blank_nodes >= 2  # the shapes and the ontology


def test_release_has_a_named_graph_per_dataset() -> None:
    graphs = {line.rsplit(" ", 2)[1] for line in real_nquads().decode().splitlines()}  # the plan, built once
    names = {g.strip("<>").removeprefix(BASE + "dataset/") for g in graphs}
    assert names == {
        "psm-2021-2023",
        "psm-2024-2026",
        "pnrr",
        "coesione-2021-2027",
        "programmi-ue",
        "strumenti-finanziamento",
        "ontologia",
        "shapes",
        BASE + "catalogo",  # the DCAT-AP_IT catalog metadata graph
    }


def test_missing_column(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "strategie.csv", "codice,asse,titolo,fonte", "codice,titolo,fonte")
    assert (
        "data/psm-2021-2023/strategie.csv, riga 1, colonna «asse»: colonna obbligatoria mancante"
        in " ".join(errors_for(root))
    )


def test_unknown_column_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "assi.csv", "codice,titolo,descrizione,fonte", "codice,titolo,descrizone,fonte")
    assert any("assi.csv, riga 1, colonna «descrizone»: colonna sconosciuta" in e for e in errors_for(root))


def test_unknown_parent_code(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "azioni.csv", "2.1.2,2.1,", "2.1.2,2.9,")
    assert (
        "data/psm-2021-2023/azioni.csv, riga 3, colonna «strategia»: codice padre sconosciuto «2.9»"
        in errors_for(root)
    )


def test_duplicate_code(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "strategie.csv", "1.2,1,", "1.1,1,")
    assert (
        "data/psm-2021-2023/strategie.csv, riga 3, colonna «codice»: codice duplicato «1.1» (già alla riga 2)"
        in errors_for(root)
    )


def test_bad_iri(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "fonti.csv", "http://www.torinometropoli.it/cms/", "www.torinometropoli .it/cms/")
    found = [e for e in errors_for(root) if "fonti.csv, riga 3, colonna «url»" in e]
    assert found and "IRI non valido" in found[0]


def test_wrong_encoding(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / TABLES / "assi.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    found = [e for e in errors_for(root) if e.startswith("data/psm-2021-2023/assi.csv")]
    assert found == [found[0]] and "riga 2" in found[0] and "UTF-8" in found[0]  # «capacità», row 2


def test_unknown_alignment_target(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "allineamenti.csv", "1,missione-pnrr,M1,", "1,missione-pnrr,M9,")
    assert any(
        "allineamenti.csv, riga 2, colonna «obiettivo»: «M9» non è un concetto" in e for e in errors_for(root)
    )


def test_unknown_source_id(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "assi.csv", 'investimenti.",presentazione', 'investimenti.",presentazion')
    assert any(
        "assi.csv, riga 2, colonna «fonte»: fonte sconosciuta «presentazion»" in e for e in errors_for(root)
    )


def test_semicolon_csv_from_italian_spreadsheets_is_read(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / TABLES / "fonti.csv"
    path.write_text("id;titolo;url\npresentazione;Presentazione;\n", encoding="utf-8")
    assert not any(e.startswith("data/psm-2021-2023/fonti.csv") for e in errors_for(root))


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "strategie.csv", "1.2,1,", "1.1,1,")
    edit(root, "azioni.csv", "2.1.2,2.1,", "2.1.2,2.9,")
    assert len(errors_for(root)) >= 2


def test_failed_build_keeps_the_served_release(tmp_path: Path) -> None:
    """`psm-ld build` run in this process (`cli_here`): what is asserted is the command's exit code,
    its message and the release folder, not the process (test_reload and test_builds_under_load run
    the command in a fresh one). Without pre-rendered documents (PSM_PRERENDER=0: more than half of
    a build, tested in test_prerendered): the served release is compared by its quads."""
    root = project_copy(tmp_path / "project")
    build_dir = tmp_path / "build"
    ok = cli_here(root, build_dir, "build", PSM_PRERENDER="0")
    assert ok.returncode == 0, ok.stderr
    served = current_release(build_dir)
    assert served is not None
    before = served.nquads.read_bytes()

    edit(root, "strategie.csv", "1.2,1,", "1.1,1,")  # bad input
    bad = cli_here(root, build_dir, "build", PSM_PRERENDER="0")
    assert bad.returncode == 1
    assert "strategie.csv, riga 3, colonna «codice»" in bad.stderr

    (root / "shapes/psm.ttl").write_text(
        (root / "shapes/psm.ttl").read_text(encoding="utf-8").replace('"^[1-9][0-9]*$"', '"^[7-9]$"'),
        encoding="utf-8",
    )
    edit(root, "strategie.csv", "1.1,1,Innovare", "1.2,1,Innovare")  # input fixed, but now violates shapes
    invalid = cli_here(root, build_dir, "build", PSM_PRERENDER="0")
    assert invalid.returncode == 1
    assert "NON scritta" in invalid.stderr
    still = current_release(build_dir)
    assert still is not None and still.nquads.read_bytes() == before


def test_validate_json_and_exit_codes(tmp_path: Path) -> None:
    import json

    root = project_copy(tmp_path / "project")
    good = cli_here(root, tmp_path / "b", "validate", "--format", "json")
    assert good.returncode == 0
    report = json.loads(good.stdout)
    assert report["conforms"] is True and report["violations"] == 0 and report["warnings"] > 0
    edit(root, "strategie.csv", "1.2,1,", "2.8,1,")  # builds, but the code disagrees with its axis
    bad = cli_here(root, tmp_path / "b", "validate", "--format", "json")
    assert bad.returncode == 1
    findings = json.loads(bad.stdout)["findings"]
    wrong = [f for f in findings if f["severity"] == "Violation"]
    assert wrong[0]["origin"] == {"file": "data/psm-2021-2023/strategie.csv", "row": 3, "column": "codice"}


def test_validate_json_reports_bad_input_too(tmp_path: Path) -> None:
    import json

    root = project_copy(tmp_path / "project")
    edit(root, "strategie.csv", "1.2,1,", "1.1,1,")
    bad = cli_here(root, tmp_path / "b", "validate", "--format", "json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["conforms"] is False
    assert report["errors"][0] == {
        "file": "data/psm-2021-2023/strategie.csv",
        "row": 3,
        "column": "codice",
        "message": "codice duplicato «1.1» (già alla riga 2)",
    }


def test_completeness_report_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import psm_ld.build.validate

    def no_validation(built: object) -> None:
        raise AssertionError("psm-ld report ran a SHACL validation it does not show")

    monkeypatch.setattr(psm_ld.build.validate, "validate", no_validation)
    result = cli_here(PROJECT, tmp_path / "b", "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    editions = {e["edition"]: e for e in json.loads(result.stdout)}
    assert set(editions) == {"2021-2023", "2024-2026"}
    first = editions["2021-2023"]
    axis1 = next(a for a in first["axes"] if a["codice"] == "1")
    assert (axis1["strategie_presenti"], axis1["azioni_presenti"]) == ("7", "0")
    assert axis1["azioni_dichiarate"] == "28 (presentazione)"
    slide_actions = next(
        d for d in first["declared_counts"]
        if d["codice"] == "2021-2023" and d["conta"] == "Azione" and d["id_fonte"] == "presentazione"
    )  # fmt: skip
    assert (slide_actions["dichiarato"], slide_actions["somma_per_asse"]) == ("111", "110")
    assert len(first["incomplete_actions"]) == 10
    assert len(editions["2024-2026"]["incomplete_actions"]) == 13
    # the grading of the alignments: stated by a source, a reading of its layout, derived by rule
    assert first["alignments_by_basis"] == {"dichiarato": 14, "interpretazione": 4, "derivato per regola": 68}
    assert editions["2024-2026"]["alignments_by_basis"] == {"interpretazione": 6, "derivato per regola": 19}
    text = cli_here(PROJECT, tmp_path / "b", "report")
    assert "Allineamenti per base: derivato per regola: 68, dichiarato: 14, interpretazione: 4" in " ".join(
        text.stdout.split()
    )


def test_every_published_graph_needs_its_catalog_record(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / "data/catalogo.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("<dataset/pnrr> a dcat:Dataset", "<dataset/pnrr-vecchio> a dcat:Dataset"), "utf-8"
    )
    found = errors_for(root)
    assert f"data/catalogo.ttl: manca la descrizione del dataset <{BASE}dataset/pnrr> (dcat:Dataset)" in found
    assert f"data/catalogo.ttl: il dataset <{BASE}dataset/pnrr-vecchio> è descritto ma non ha dati" in found


def test_commands_that_need_a_release_say_so(tmp_path: Path) -> None:
    for command in (("export",), ("query", "conteggi-per-asse")):  # what a command says: in this process
        result = cli_here(PROJECT, tmp_path / "empty", *command)
        assert result.returncode == 1 and "eseguire prima «psm-ld build»" in result.stderr, command


def test_store_mode_setting_is_checked(tmp_path: Path) -> None:
    from psm_ld.config import load_settings

    assert load_settings(store_mode="disk").store_mode == "disk"
    with pytest.raises(ValueError, match="PSM_STORE=ram: atteso uno tra auto, memory, disk, sparql"):
        load_settings(store_mode="ram")
