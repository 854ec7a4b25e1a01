"""The SPARQL editor of /sparql (issue 15, point 1): CodeMirror 6 bundled from npm (`make assets`,
assets/sparql-editor.js) and served by psm-ld, over a form that works without it.

Chromium (the DevTools client of test_browser.py) types into the editor with real key events, runs the
query with Ctrl+Enter and reads the rows of the result table; completion offers the project's prefixes
and the release's terms (a class, a property, an action by its label), adding the PREFIX declaration a
name needs. On every page of it: no request to another host, no Content-Security-Policy violation
(the editor's styles go into a constructed stylesheet, not a <style> element), no console error.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyoxigraph as ox
import pytest
import test_browser
from kg import real_nquads, settings
from servers import ROOT, InProcess
from test_browser import LISTEN_FOR_VIOLATIONS, Page, assert_clean

from psm_ld.config import PROJECT_ROOT
from psm_ld.pages import STATIC_DIR, Pages, Table, completions, render
from psm_ld.pages.kinds.services import absolute_prefixes
from psm_ld.queries import load_queries
from psm_ld.query.store import store_from_bytes

# the Chromium of test_browser.py: its fixtures, used here as they are (`browser`, one for the
# session, is conftest's)
page, site = test_browser.page, test_browser.site

SLOW = pytest.mark.slow  # Chromium against a real server, or make and esbuild: not in `make check`
SKOS = "http://www.w3.org/2004/02/skos/core#"
CTRL = 2  # the DevTools modifier bit of Control


def key(page: Page, name: str, code: str, keycode: int, modifiers: int = 0, text: str = "") -> None:
    """One key pressed and released, as the keyboard sends it."""
    for kind in ("keyDown", "keyUp"):
        page.call(
            "Input.dispatchKeyEvent", type=kind, key=name, code=code, windowsVirtualKeyCode=keycode,
            modifiers=modifiers, text=text if kind == "keyDown" else "",
        )  # fmt: skip


def type_keys(page: Page, text: str) -> None:
    """`text` typed one character at a time (each a key event, so completion reacts as to a person)."""
    for char in text:
        page.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
        page.call("Input.dispatchKeyEvent", type="keyUp", key=char)


def wait_until(page: Page, expression: str, timeout: float = 10.0) -> Any:
    return page.wait_until(expression, timeout)  # the loop runs in the page (test_browser.Page)


def options(page: Page) -> list[str]:
    """The labels the open completion list offers (empty until it opens)."""
    return wait_until(
        page,
        "[...document.querySelectorAll('.cm-tooltip-autocomplete li')].map(li =>"
        " li.querySelector('.cm-completionLabel').textContent + ' ' +"
        " (li.querySelector('.cm-completionDetail') || {textContent: ''}).textContent)",
    )


# when the completion list last opened (performance.now()), kept by the page from open_editor() on
WATCH_LIST = (
    "window.__listOpened = 0; new MutationObserver(records => { for (const r of records)"
    " for (const n of r.addedNodes) if (n.nodeType === 1 && n.matches('.cm-tooltip-autocomplete'))"
    " window.__listOpened = performance.now(); }).observe(document.body, {childList: true, subtree: true})"
)


def accept(page: Page, down: int = 0) -> None:
    """Pick the open list's option `down` places below the first with the keyboard. CodeMirror lets
    the arrows and Enter through to the text for 75 ms after the list opens (interactionDelay), so a
    person who was typing on does not pick something by accident: wait as a person would, until the
    list has been open twice that long and is not waiting for results (disabled)."""
    page.wait_until(
        "window.__listOpened > 0 && performance.now() - window.__listOpened >= 150"
        " && !document.querySelector('.cm-tooltip-autocomplete-disabled')"
    )
    for _ in range(down):
        key(page, "ArrowDown", "ArrowDown", 40)
    key(page, "Enter", "Enter", 13, text="\r")


def editor_text(page: Page) -> str:
    return page.evaluate("document.getElementById('query').value")  # the field the form submits


def open_editor(page: Page, url: str) -> None:
    """The SPARQL page with its editor up, emptied with the keyboard, and focused."""
    page.call("Page.addScriptToEvaluateOnNewDocument", source=LISTEN_FOR_VIOLATIONS)
    page.goto(url)
    wait_until(page, "!!document.querySelector('.cm-editor.sparql-editor .cm-content')")
    page.evaluate(WATCH_LIST)
    page.evaluate("document.querySelector('.cm-content').focus()")
    key(page, "a", "KeyA", 65, CTRL)
    key(page, "Backspace", "Backspace", 8)
    assert editor_text(page) == ""


def assert_local_and_within_policy(page: Page, site: str) -> None:
    """Every request went to the site's own host, and the policy was never broken."""
    hosts = {
        urlparse(e["params"]["request"]["url"]).hostname
        for e in page.events
        if e.get("method") == "Network.requestWillBeSent"
        and not e["params"]["request"]["url"].startswith(("data:", "blob:"))
    }
    assert hosts <= {urlparse(site).hostname}, hosts
    assert page.evaluate("window.__csp") == []
    assert_clean(page)


@SLOW
def test_editor_highlights_runs_with_ctrl_enter_and_shows_rows(page: Page, site: str) -> None:
    open_editor(page, site + "sparql?lang=it")
    # the editor replaced the textarea; its styles are a constructed sheet, not a <style> element
    assert page.evaluate("document.getElementById('query').hidden") is True
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("document.adoptedStyleSheets.length") >= 1
    assert page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).display") == "flex"
    assert page.evaluate("document.querySelector('.cm-content').getAttribute('aria-labelledby')") == (
        "query-label"
    )
    assert page.evaluate("!document.getElementById('query-help').hidden")
    query = (
        f"PREFIX skos: <{SKOS}> SELECT ?codice ?titolo WHERE {{ ?azione a <{site}ontologia#Azione> ; "
        'skos:notation ?codice ; skos:prefLabel ?titolo . FILTER (LANG(?titolo) = "it") } '
        "ORDER BY ?codice LIMIT 3"
    )
    page.call("Input.insertText", text=query)
    assert editor_text(page) == query
    # highlighted: the keyword and the variable are in token spans of different colours
    colours = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.cm-line span')].map(s =>"
        " [s.textContent, getComputedStyle(s).color]))"
    )
    assert colours["SELECT"] != colours["?codice"]
    page.screenshot("sparql-editor.png")
    page.events.clear()
    key(page, "Enter", "Enter", 13, CTRL, "\r")
    page.wait_for("Page.loadEventFired")
    page.settle()
    assert "format=html" in page.evaluate("location.search")
    wait_until(page, "!!document.querySelector('.cm-editor')")
    rows = page.evaluate(
        "[...document.querySelectorAll('table.results tbody tr')].map(tr =>"
        " [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))"
    )
    headers = page.evaluate("[...document.querySelectorAll('.results thead th')].map(t => t.textContent)")
    assert headers == ["codice", "titolo"]
    codes = [r[0] for r in rows]
    assert len(codes) == 3 and codes == sorted(codes)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", c) for c in codes)
    assert all(r[1] for r in rows)  # every action has its title
    # the query that ran is back in the editor, and the results can be downloaded in every format
    assert page.evaluate("document.querySelector('.cm-content').innerText").startswith("PREFIX skos:")
    downloads = page.evaluate(
        "[...document.querySelectorAll('.downloads a')].map(a => [a.textContent, a.getAttribute('download')])"
    )
    assert ["CSV", "risultati.csv"] in downloads and len(downloads) == 4
    page.screenshot("sparql-editor-results.png")
    page.screenshot("sparql-editor-results-mobile.png", width=390)
    assert_local_and_within_policy(page, site)


@SLOW
def test_editor_completes_prefixes_and_terms_of_the_data(page: Page, site: str) -> None:
    open_editor(page, site + "sparql?lang=it")
    # a prefix declaration: the project's prefixes, with absolute IRIs
    type_keys(page, "PREFIX ps")
    offered = options(page)
    assert any(o.startswith(f"psm: <{site}ontologia#>") for o in offered), offered
    accept(page)
    assert editor_text(page) == f"PREFIX psm: <{site}ontologia#>"
    key(page, "Enter", "Enter", 13, text="\r")
    # a class of the ontology, by prefixed name
    type_keys(page, "SELECT * WHERE { ?a a psm:Azi")
    offered = options(page)
    assert any(o.startswith("psm:Azione") for o in offered), offered
    accept(page, next(i for i, o in enumerate(offered) if o.startswith("psm:Azione ")))
    assert editor_text(page).endswith("?a a psm:Azione}")  # the brace closed as it was typed
    # a property in a prefix the query has not declared: the declaration comes with it
    type_keys(page, " ; skos:prefL")
    offered = options(page)
    assert any(o.startswith("skos:prefLabel") for o in offered), offered
    accept(page, next(i for i, o in enumerate(offered) if o.startswith("skos:prefLabel ")))
    text = editor_text(page)
    assert text.startswith(f"PREFIX psm: <{site}ontologia#>\nPREFIX skos: <{SKOS}>\n")
    assert text.endswith("psm:Azione ; skos:prefLabel}")
    # a plan resource by a word of its label (accents and case aside): its IRI is inserted
    type_keys(page, " ?t . ?x ?p INFRASTRUTTURE")
    offered = options(page)
    wanted = [o for o in offered if "Rete metropolitana delle infrastrutture verdi" in o]
    assert wanted, offered
    page.screenshot("sparql-editor-completion.png")
    accept(page, offered.index(wanted[0]))
    assert editor_text(page).endswith(f"?x ?p <{site}psm/2021-2023/azione/2.1.1>}}")
    # the variables of the query
    type_keys(page, " . FILTER(?")
    assert {"?a", "?t", "?x", "?p"} <= {o.split()[0] for o in options(page)}
    assert_local_and_within_policy(page, site)


@SLOW
def test_the_examples_fill_the_editor_and_their_prefixes_are_absolute(page: Page, site: str) -> None:
    open_editor(page, site + "sparql")
    page.evaluate(
        "(() => { const s = document.getElementById('example');"
        " s.value = 'azioni-per-missione-pnrr'; s.dispatchEvent(new Event('change')); })()"
    )
    shown = page.evaluate("document.querySelector('.cm-content').innerText")
    assert f"PREFIX psm: <{site}ontologia#>" in shown and "<ontologia#>" not in shown
    assert editor_text(page) == page.evaluate(
        "[...document.querySelectorAll('#example option')].find(o => o.value === 'azioni-per-missione-pnrr')"
        ".dataset.query"
    )
    assert_local_and_within_policy(page, site)


@SLOW
@pytest.mark.parametrize("path", ["sparql?lang=en", "sparql?query=ASK%7B%7D&format=html&lang=it"])
def test_the_completion_data_is_one_local_document(page: Page, site: str, path: str) -> None:
    """The editor asks for /sparql/completions.json once, on the first completion, on this host."""
    open_editor(page, site + path)
    type_keys(page, "rdfs:lab")
    assert any(o.startswith("rdfs:label") for o in options(page))
    type_keys(page, " ?x psm:")
    options(page)
    asked = [
        e["params"]["request"]["url"] for e in page.events
        if e.get("method") == "Network.requestWillBeSent" and "completions" in e["params"]["request"]["url"]
    ]  # fmt: skip
    assert asked == [site + "sparql/completions.json"]
    data = json.loads(page.evaluate(f"fetch({json.dumps(asked[0])}).then(r => r.text())"))
    help_text = page.evaluate("document.getElementById('query-help').textContent")
    assert help_text.startswith("Ctrl+Space" if "lang=en" in path else "Ctrl+Spazio")
    assert data["prefixes"]["psm"] == site + "ontologia#" and data["truncated"] is False
    assert_local_and_within_policy(page, site)


# ---------------------------------------------------------------------- without a browser


def test_absolute_prefixes_resolve_declarations_against_the_base() -> None:
    text = "PREFIX psm: <ontologia#>\nprefix : <x/>\nBASE <a/b>\nPREFIX s: <http://e.org/s#>\nSELECT * {}"
    assert absolute_prefixes(text, "http://ex.org/d/").splitlines() == [
        "PREFIX psm: <http://ex.org/d/ontologia#>",
        "prefix : <http://ex.org/d/x/>",
        "BASE <http://ex.org/d/a/b>",
        "PREFIX s: <http://e.org/s#>",
        "SELECT * {}",
    ]  # an empty fragment kept (urljoin drops it); the query's other IRIs as written


def test_the_examples_mean_the_same_in_any_tool(same_origin: InProcess) -> None:
    """Every example on /sparql parses with no base IRI (so pasted elsewhere it means what it means
    here) and gives, run here, the rows its named query gives."""
    markup = same_origin.get("/sparql", headers={"Accept": "text/html"}).text
    examples = dict(re.findall(r'<option value="([^"]+)" data-query="([^"]*)"', markup))
    queries = load_queries(PROJECT_ROOT / "queries")
    assert examples.keys() == queries.keys()
    for name, escaped in examples.items():
        text = html.unescape(escaped)
        assert "<ontologia#>" not in text and f"PREFIX psm: <{same_origin.base}ontologia#>" in text
        ox.Store().query(text)  # no base IRI: a relative IRI would be a SyntaxError
        accept = {"Accept": "application/sparql-results+json"}
        ours = same_origin.get("/sparql", params={"query": text}, headers=accept).json()
        named = same_origin.get(f"/queries/{name}", headers=accept).json()
        assert ours["results"] == named["results"], name


def test_the_completion_document(same_origin: InProcess) -> None:
    response = same_origin.get("/sparql/completions.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "public, max-age=300" and len(response.content) < 1 << 20
    data = response.json()
    base = same_origin.base
    assert list(data["prefixes"])[0] == "psm" and data["prefixes"]["psm"] == base + "ontologia#"
    assert data["prefixes"]["skos"] == SKOS and data["truncated"] is False
    terms = {t["iri"]: t for t in data["terms"]}
    assert len(terms) == len(data["terms"])  # each IRI once
    assert terms[base + "ontologia#Azione"]["kind"] == "class"
    assert terms[base + "ontologia#missionePNRR"]["kind"] == "property"
    assert terms[SKOS + "prefLabel"]["kind"] == "property"
    action = terms[base + "psm/2021-2023/azione/2.1.1"]
    assert action == {"iri": action["iri"], "kind": "resource", "code": "2.1.1", "type": "Azione",
                      "label": "Rete metropolitana delle infrastrutture verdi"}  # fmt: skip
    # one document per release: revalidated by its ETag
    again = same_origin.get("/sparql/completions.json", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_completion_document_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    p = Pages(store_from_bytes(real_nquads()), settings(), {})
    monkeypatch.setattr(completions, "MAX_TERMS", 10)
    data = completions.completions(p.model, p.store)
    assert len(data["terms"]) == 10 and data["truncated"] is True


def test_the_form_works_without_javascript(same_origin: InProcess) -> None:
    """The page is a form: the query in a textarea, the result format a select; a CONSTRUCT's
    result offers the RDF formats as downloads, a SELECT's the result formats."""
    html_accept = {"Accept": "text/html"}
    form = same_origin.get("/sparql", headers=html_accept).text
    assert '<textarea id="query" name="query"' in form and '<select id="format" name="format">' in form
    assert '<option value="csv">CSV</option>' in form and '<option value="ttl">Turtle</option>' in form
    select = "SELECT ?s WHERE { ?s a ?c } LIMIT 2"
    csv = same_origin.get("/sparql", params={"query": select, "format": "csv"}, headers=html_accept)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("s\r\n")
    shown = same_origin.get("/sparql", params={"query": select, "format": "html"}, headers=html_accept).text
    assert shown.count("<tr>") == 3 and 'download="risultati.csv"' in shown
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 2"
    shown = same_origin.get(
        "/sparql", params={"query": construct, "format": "html"}, headers=html_accept
    ).text
    assert 'download="risultati.ttl"' in shown and 'download="risultati.csv"' not in shown


def test_without_the_bundle_the_page_asks_for_no_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page asks for the editor only when `make assets` has made it (a file in STATIC_DIR)."""
    p = Pages(store_from_bytes(real_nquads()), settings(), load_queries(PROJECT_ROOT / "queries"))
    monkeypatch.setattr(render, "EDITOR_SCRIPT", "psm.css")  # a file that is there
    markup = p.sparql_form(None, None, None, "http://x/")
    assert '<script src="http://x/static/psm.css" defer></script>' in markup and 'id="query-help"' in markup
    monkeypatch.setattr(render, "EDITOR_SCRIPT", "vendor/not-built.js")
    markup = p.sparql_form(None, Table(["s"], []), None, "http://x/")
    assert "not-built" not in markup and 'id="query-help"' not in markup and "<textarea" in markup


@SLOW
def test_the_bundle_is_made_by_the_project_files_and_reproducible(tmp_path: Path) -> None:
    """`make assets` made the served bundle from assets/sparql-editor.js and package-lock.json: made
    again, it is the same bytes (a stale or hand-edited bundle fails here)."""
    again = tmp_path / "sparql-editor.js"
    done = subprocess.run(
        ["make", "--no-print-directory", f"EDITOR_JS={again}", str(again)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    served = (STATIC_DIR / render.EDITOR_SCRIPT).read_bytes()
    assert again.read_bytes() == served
    assert b"https://" not in served  # names no host to load anything from
