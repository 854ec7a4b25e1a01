"""Human-readable rendering (Rich) of build errors, validation findings and completeness."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from psm_ld.build.tables import DataError
from psm_ld.build.validate import Report
from psm_ld.query.completeness import EditionReport


def print_errors(console: Console, errors: list[DataError]) -> None:
    console.print(f"[bold red]Dati non validi: {len(errors)} errori[/] (nessuna release scritta)")
    for error in errors:
        console.print(f"  [red]✗[/] [bold]{error.origin}[/]: {error.message}")


def print_validation(console: Console, report: Report) -> None:
    for finding in report.findings:
        mark = "[red]✗ violazione[/]" if finding.is_violation else "[yellow]! avviso[/]"
        where = str(finding.origin) if finding.origin else finding.focus
        console.print(f"  {mark} [bold]{where}[/]: {finding.message_it}")
        if finding.origin:
            console.print(f"      [dim]{finding.focus}[/]")
    status = "[green]conforme[/]" if report.conforms else "[red]NON conforme[/]"
    console.print(f"SHACL: {status} — {len(report.violations)} violazioni, {len(report.warnings)} avvisi")


def print_completeness(console: Console, reports: list[EditionReport]) -> None:
    for report in reports:
        console.rule(f"PSM {report.edition}: completezza")
        plan = Table(title="Conteggi dichiarati dalle fonti e dati presenti", title_justify="left")
        for column in ("oggetto", "conta", "dichiarato", "presenti", "somma per asse", "fonte"):
            plan.add_column(column)
        for row in report.declared:
            parts = row.get("somma_per_asse", "")  # the same source's per-axis counts, added up
            agree = row["dichiarato"] == row["presenti"] and parts in ("", row["dichiarato"])
            where = "piano" if row["codice"] == report.edition else f"asse {row['codice']}"
            plan.add_row(
                where, row["conta"], row["dichiarato"], row["presenti"], parts, row["id_fonte"],
                style=None if agree else "yellow",
            )  # fmt: skip
        console.print(plan)
        axes = Table(title="Per asse", title_justify="left")
        for column in ("asse", "strategie presenti", "dichiarate", "azioni presenti", "dichiarate"):
            axes.add_column(column)
        for row in report.axes:
            axes.add_row(
                f"{row['codice']} {row['titolo']}",
                row["strategie_presenti"],
                row.get("strategie_dichiarate", "—"),
                row["azioni_presenti"],
                row.get("azioni_dichiarate", "—"),
            )
        console.print(axes)
        untitled = [r["codice"] for r in report.incomplete if r["senza_titolo"] == "true"]
        unaligned = [r["codice"] for r in report.incomplete if r["senza_allineamenti"] == "true"]
        console.print(f"Azioni senza titolo: {len(untitled)} {' '.join(untitled)}")
        console.print(f"Azioni senza allineamenti dichiarati: {len(unaligned)} {' '.join(unaligned)}")
        _print_alignments(console, report)


def _print_alignments(console: Console, report: EditionReport) -> None:
    """The alignments a source gives (stated or read from its layout) one by one; the derived ones
    counted, since each repeats its axis's alignment for a strategy or action."""
    graded = Table(title="Allineamenti e loro base", title_justify="left")
    for column in ("elemento", "relazione", "concetto", "base", "fonte"):
        graded.add_column(column)
    for row in report.alignments:
        if row.get("derivato_da"):
            continue
        where = "piano" if row["codice"] == report.edition else row["codice"]
        source = row.get("id_fonte", row.get("fonte", ""))
        style = None if row["base"] == "dichiarato" else "yellow"  # a reading, not a statement
        graded.add_row(where, row["relazione"], row["codice_concetto"], row["base"], source, style=style)
    console.print(graded)
    summary = ", ".join(f"{base}: {n}" for base, n in sorted(report.by_basis().items())) or "nessuno"
    console.print(f"Allineamenti per base: {summary}")
