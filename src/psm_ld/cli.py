"""psm-ld command line: build, validate, report, query (and serve)."""

from __future__ import annotations

import atexit
import gc
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from psm_ld import __version__
from psm_ld.config import SettingsError, load_settings

# Each command imports what it needs when it runs. `psm-ld serve` and every query worker it spawns
# import this module (a spawned worker re-imports the parent's main script): building, validating
# (pyshacl) and reporting stay out of the server and its workers.
if TYPE_CHECKING:
    from psm_ld.build.built import Built
    from psm_ld.build.validate import Report
    from psm_ld.config import Settings
    from psm_ld.release import Release

app = typer.Typer(help="psm-ld: il Piano Strategico Metropolitano come linked data.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


OutputOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="text (leggibile) o json")]


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"psm-ld {__version__}")
        raise typer.Exit(0)


@app.callback()
def check_settings(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="la versione / the version"),
    ] = False,
) -> None:
    """Before any command: the settings (PSM_*) must be usable; if not, one line says which and why."""
    try:
        load_settings()
    except SettingsError as exc:
        errors.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _build_and_validate(output: OutputFormat = OutputFormat.text) -> tuple[Built, Report]:
    from psm_ld.build.validate import validate

    built = _build(output)
    return built, validate(built)


def few_full_collections() -> None:
    """Collect garbage for a process whose large structures live to its end (a build's graphs and
    shapes; a test worker's session): CPython's default thresholds (700, 10, 10) walk them all again
    at each full collection (0.3 s of a 5 s build, 21 of a suite's 115 CPU-seconds). Young objects
    are collected after 10,000 allocations, the oldest generation after 100 middle passes. At exit,
    once every exit handler registered later has run, what is left is frozen: the interpreter's own
    last collections would walk it all once more as it tears the modules down, for a process that is
    ending (0.3 s of a build's exit, 1.1 s of a test worker's)."""
    gc.set_threshold(10_000, 50, 100)
    atexit.unregister(gc.freeze)  # once, however often this is called
    atexit.register(gc.freeze)


def _build(output: OutputFormat = OutputFormat.text) -> Built:
    """The dataset built from the inputs, not yet validated; bad input is reported (as JSON with
    `output` json) and ends the command with exit 1."""
    from psm_ld.build import graph as building
    from psm_ld.build.tables import BuildError
    from psm_ld.reporting import print_errors

    settings = load_settings()
    few_full_collections()
    try:
        built = building.build(settings)
    except BuildError as exc:
        if output is OutputFormat.json:
            bad = [{**e.origin.as_dict(), "message": e.message} for e in exc.errors]
            typer.echo(json.dumps({"conforms": False, "errors": bad}, ensure_ascii=False, indent=2))
        else:
            print_errors(errors, exc.errors)
        raise typer.Exit(1) from exc
    return built


def _served_release(settings: Settings) -> Release:
    from psm_ld.release import current_release

    release = current_release(settings.build_dir)
    if release is None:
        errors.print("Nessuna release: eseguire prima «psm-ld build».")
        raise typer.Exit(1)
    return release


@app.command()
def build() -> None:
    """Costruisce e valida; scrive una nuova release solo se i dati sono conformi."""
    from psm_ld.build.write import write_release
    from psm_ld.pages.prerendered import Prerendered
    from psm_ld.reporting import print_validation

    settings = load_settings()
    built, report = _build_and_validate()
    print_validation(console, report)
    if not report.conforms:
        errors.print("[red]Release NON scritta: quella servita resta invariata.[/]")
        raise typer.Exit(1)
    try:
        release = write_release(built, report, settings.build_dir, settings.data_dir, settings.keep_releases,
                                pages=settings)  # fmt: skip
    except OSError as exc:  # a full disk, a read-only folder: one line; nothing was left behind
        where = exc.filename or settings.build_dir
        errors.print(f"Release NON scritta ({exc.strerror or exc}: {where}); quella servita resta invariata.",
                     style="red", markup=False, highlight=False, soft_wrap=True)  # fmt: skip
        raise typer.Exit(1) from exc
    prerendered = Prerendered.of(release)
    documents = f"; {len(prerendered.names)} documenti pre-generati" if prerendered else ""
    console.print(f"Release [bold]{release.id}[/]: {len(built.dataset)} quad in {release.nquads}{documents}")


@app.command("validate")
def validate_command(output: OutputOption = OutputFormat.text) -> None:
    """Valida i dati con le forme SHACL (exit 1 se ci sono violazioni)."""
    from psm_ld.reporting import print_validation

    _, report = _build_and_validate(output)
    if output is OutputFormat.json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_validation(console, report)
    raise typer.Exit(0 if report.conforms else 1)


@app.command()
def report(output: OutputOption = OutputFormat.text) -> None:
    """Rapporto di completezza: conteggi dichiarati e presenti, azioni senza titolo o allineamenti."""
    from psm_ld.build.write import canonical_nquads
    from psm_ld.queries import load_queries
    from psm_ld.query.completeness import completeness
    from psm_ld.query.store import store_from_bytes
    from psm_ld.reporting import print_completeness

    settings = load_settings()
    built = _build()  # no SHACL validation: the report does not show it (`psm-ld validate` does)
    store = store_from_bytes(canonical_nquads(built.dataset))
    reports = completeness(store, load_queries(settings.queries_dir), settings.base_uri)
    if output is OutputFormat.json:
        typer.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        print_completeness(console, reports)


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="nome della query in queries/ (senza .rq)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="nome=valore")] = None,
) -> None:
    """Esegue una query con nome sulla release corrente e stampa i risultati in JSON."""
    from psm_ld.queries import QueryError, load_queries
    from psm_ld.query.store import load_store, rows, run_named

    settings = load_settings()
    release = _served_release(settings)
    queries = load_queries(settings.queries_dir)
    if name not in queries:
        errors.print(f"Query sconosciuta «{name}» / Unknown query «{name}»: {', '.join(queries)}")
        raise typer.Exit(2)
    given = dict(p.split("=", 1) for p in param or [] if "=" in p)
    try:
        result = rows(run_named(load_store(release.nquads), queries[name], settings.base_uri, given))
    except QueryError as exc:
        errors.print(exc.message, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("export")
def export_command(
    out: Annotated[Path | None, typer.Option(help="cartella di uscita (predefinita: build/export)")] = None,
    listen: Annotated[str, typer.Option(help="dove nginx ascolta (direttiva listen)")] = "127.0.0.1:8080",
    upstream: Annotated[str, typer.Option(help="host:porta di «psm-ld serve»")] = "127.0.0.1:8000",
) -> None:
    """Esporta la release corrente come file statici e una configurazione nginx che li serve."""
    from psm_ld.export import export  # rendering needs the pages: not loaded by the other commands

    settings = load_settings()
    release = _served_release(settings)
    done = export(settings, release, out or settings.build_dir / "export", listen, upstream)
    console.print(
        f"Release [bold]{release.id}[/]: {done.resources} risorse, {done.files} documenti "
        f"({done.bytes / 1e6:.1f} MB) in {done.site}; configurazione nginx: {done.nginx_conf}"
    )


@app.command()
def publish(
    chunk: Annotated[int, typer.Option(help="triple per richiesta GSP / triples per GSP request")] = 50_000,
    grace: Annotated[
        float | None,
        typer.Option(help="secondi tra il passaggio e la rimozione della release vecchia (predefinito: "
                     "2 × PSM_RELOAD_SECONDS + PSM_QUERY_TIMEOUT)"),
    ] = None,
    fail_after: Annotated[int | None, typer.Option(hidden=True)] = None,  # tests: a failure halfway
) -> None:
    """Pubblica la release corrente nell'archivio SPARQL (PSM_STORE=sparql): carica, controlla, passa
    alla nuova, rimuove la vecchia; si riprende da dove si è fermata."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from psm_ld.build.publish import PublishError
    from psm_ld.build.publish import publish as publish_release
    from psm_ld.query.engine import endpoint_of
    from psm_ld.release import ReleaseError

    settings = load_settings()
    if settings.store_mode != "sparql":
        errors.print("PSM_STORE=sparql e PSM_STORE_QUERY_URL, PSM_STORE_GSP_URL servono a «psm-ld publish» "
                     "/ publish needs PSM_STORE=sparql with PSM_STORE_QUERY_URL and PSM_STORE_GSP_URL")
        raise typer.Exit(2)
    release = _served_release(settings)
    wait = grace if grace is not None else 2 * settings.reload_seconds + settings.query_timeout
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=False) as bar:

        def progress(total: int, done: int):  # type: ignore[no-untyped-def]
            task = bar.add_task(f"release {release.id}", total=total, completed=done)
            return lambda n: bar.advance(task, n)

        try:
            done = publish_release(endpoint_of(settings), release, chunk=chunk, grace=wait,
                                   progress=progress, fail_after=fail_after)  # fmt: skip
        except (PublishError, ReleaseError) as exc:
            errors.print(f"Pubblicazione NON completata: {exc}. Quella servita resta invariata; "
                         "rilanciare «psm-ld publish» per riprendere.", style="red", markup=False,
                         highlight=False, soft_wrap=True)  # fmt: skip
            raise typer.Exit(1) from exc
    state = "ora servita" if done.switched else "già servita"
    console.print(f"Release [bold]{done.release}[/] {state}: {done.loaded} triple caricate, "
                  f"{done.skipped} grafi già presenti, release rimosse: "
                  f"{', '.join(done.dropped) or 'nessuna'}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="indirizzo di ascolto")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="porta")] = 8000,
    access_log: Annotated[
        bool, typer.Option(help="una riga di log per richiesta (spento: dietro nginx, che già la scrive)")
    ] = True,
    root_path: Annotated[
        str,
        typer.Option(
            envvar="PSM_ROOT_PATH",
            help="prefisso di percorso sotto cui un proxy pubblica il server, che lo toglie (es. /psm)",
        ),
    ] = "",
) -> None:
    """Serve la release corrente: SPARQL, IRI dereferenziabili, pagine HTML (sola lettura); segue
    build/current e serve ogni nuova release senza riavvio."""
    import uvicorn  # imported here: the other commands do not need a web server

    from psm_ld.web.server import log_config, uvicorn_options

    settings = load_settings()
    uvicorn.run(
        "psm_ld.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,  # X-Forwarded-Proto/-For from the proxy (uvicorn trusts 127.0.0.1)
        access_log=access_log,
        log_config=log_config(),
        **uvicorn_options(settings.head_timeout, settings.keep_alive),  # limits on what clients send
        # A fixed prefix, not X-Forwarded-Prefix: a request header any client could send would change
        # every link the server writes (and the cache entries it keeps per origin).
        root_path=root_path.rstrip("/"),
    )
