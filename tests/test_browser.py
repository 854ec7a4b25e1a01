"""A real browser against the real server: headless Debian Chromium driven over the DevTools protocol.

The DevTools client is the smallest thing that works: the standard library's socket speaking
WebSocket (RFC 6455) to Chromium's page target, so nothing is downloaded and no browser build is
pinned. Chromium must be installed (`make test` installs the Debian package); without it these tests
fail, they do not skip. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow  # Chromium against a real server

CHROMIUM = os.environ.get("PSM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SCREENSHOT_HEIGHT = 4000  # px: the top of a long page (the shapes page is 19,000 px at 1280, 31,000 at 390)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # each test's tab goes back to about:blank: with the back-forward cache and a new browsing
    # instance per navigation, Chromium started a renderer for nearly every page (73 processes for
    # the browser tests, 12 without), about a quarter of its CPU time
    "--disable-features=BackForwardCache,ProactivelySwapBrowsingInstance,RenderDocument",
    "--disable-site-isolation-trials",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
]


# ---------------------------------------------------------------------- WebSocket (client side)


class WebSocket:
    """A blocking RFC 6455 client: text frames out (masked), frames in (unmasked), pings answered."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        request = (
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        # a bytearray: a screenshot comes as one message of megabytes, read in many pieces, and
        # appending to (and cutting the front off) bytes would copy it whole at each piece
        self.buffer = bytearray()
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise ConnectionError(f"WebSocket handshake refused: {head.decode(errors='replace')}")

    def _exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("DevTools connection closed")
            self.buffer += chunk
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def _frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = secrets.token_bytes(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, text: str) -> None:
        self._frame(0x1, text.encode())

    def recv(self) -> str:
        message = b""
        while True:
            first, second = self._exact(2)
            opcode, n = first & 0x0F, second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._exact(8))[0]
            mask = self._exact(4) if second & 0x80 else None
            payload = self._exact(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:  # ping
                self._frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._frame(0x8, b"")
        self.sock.close()


# ---------------------------------------------------------------------- DevTools protocol


# Page.wait_until's loop in the page: resolves with {done, v}, the expression's last value
WAIT_UNTIL = (
    "new Promise((resolve, reject) => { const end = performance.now() + TIMEOUT; const tick = () => {"
    " let v; try { v = (EXPRESSION); } catch (e) { reject(e); return; }"
    " if (v && !(Array.isArray(v) && v.length === 0)) resolve({done: true, v});"
    " else if (performance.now() > end) resolve({done: false, v}); else setTimeout(tick, 10); };"
    " tick(); })"
)


class Page:
    """One browser tab: commands, events, and the console errors seen so far."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.scripts: list[str] = []  # of Page.addScriptToEvaluateOnNewDocument, removed by reset()
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result = message.get("result", {})
                if method == "Page.addScriptToEvaluateOnNewDocument":
                    self.scripts.append(result["identifier"])
                return result
            self._event(message)

    def reset(self) -> None:
        """Back to what a new tab is for a test: no script added to new documents, no emulated
        size, an empty document (about:blank, so that nothing of the last page runs on), no events
        or errors kept."""
        for identifier in self.scripts:
            self.call("Page.removeScriptToEvaluateOnNewDocument", identifier=identifier)
        self.scripts.clear()
        self.call("Emulation.clearDeviceMetricsOverride")
        self.goto("about:blank")
        self.events.clear()
        self.errors.clear()

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method", "")
        params = message.get("params", {})
        self.events.append(message)
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.errors.append("console: " + " ".join(texts))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + str(details.get("exception", {}).get("description", details)))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            self.errors.append(f"network: {params.get('errorText')} ({params.get('type')})")

    def wait_for(self, method: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        start = len(self.events)
        while time.monotonic() < deadline:
            for message in self.events[start:]:
                if message.get("method") == method:
                    return message
            start = len(self.events)
            self._event(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} within {timeout}s")

    def settle(self) -> None:
        """Let pending events (console, network) arrive: a round trip flushes the queue."""
        self.evaluate("document.readyState")

    def goto(self, url: str) -> None:
        self.events.clear()
        result = self.call("Page.navigate", url=url)
        assert "errorText" not in result, result
        self.wait_for("Page.loadEventFired")
        self.settle()

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 10.0) -> Any:
        """The value of `expression` once it is truthy (an empty array is not), evaluated in the page
        every 10 ms: one round trip that ends as soon as the page gets there, instead of polling
        from here with sleeps. Fails after `timeout` seconds, naming the expression and its last value."""
        script = WAIT_UNTIL.replace("TIMEOUT", str(int(timeout * 1000))).replace("EXPRESSION", expression)
        result = self.evaluate(script)
        assert result["done"], f"never true within {timeout} s: {expression} (last: {result.get('v')!r})"
        return result["v"]

    def submit_and_wait(self, expression: str) -> None:
        """Run a script that navigates (submits a form, clicks a link) and wait for the new page."""
        self.events.clear()
        self.call("Runtime.evaluate", expression=expression)
        self.wait_for("Page.loadEventFired")
        self.settle()

    def type_text(self, selector: str, text: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)

    def press_enter(self) -> None:
        self.events.clear()
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                text="\r" if kind == "keyDown" else "",
            )
        self.wait_for("Page.loadEventFired")
        self.settle()

    def screenshot(self, name: str, width: int = 1280, restore: dict[str, Any] | None = None) -> Path:
        """The page at a given viewport width, whole up to SCREENSHOT_HEIGHT px (the height measured at
        that width). The emulated size is cleared after, or set to `restore`
        (Emulation.setDeviceMetricsOverride's parameters): each change lays the page out again."""
        mobile = width < 600
        self.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1, mobile=mobile
        )
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") or 800
        # the viewport as tall as the page, captured as it is: the same PNG, byte for byte, as
        # captureBeyondViewport gave with a shorter viewport (it resizes the view again itself), in
        # half the time; no taller than SCREENSHOT_HEIGHT (the checks measure the whole page, the
        # picture is for a person: painting a page 30,000 px high was most of a check's time)
        self.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=min(int(height), SCREENSHOT_HEIGHT),
            deviceScaleFactor=1,
            mobile=mobile,
        )  # fmt: skip
        # optimizeForSpeed: a faster PNG encoder (larger files), half the time of a page 8,000 px high
        data = self.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=False, optimizeForSpeed=True
        )["data"]
        if restore is None:
            self.call("Emulation.clearDeviceMetricsOverride")
        else:
            self.call("Emulation.setDeviceMetricsOverride", **restore)
        path = ARTIFACTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    def __init__(self) -> None:
        if not Path(CHROMIUM).exists():
            pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
        self.profile = tempfile.mkdtemp(prefix="psm-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.fail("Chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        self.port = int(port_file.read_text().split()[0])
        self.page: Page | None = None  # the tab the tests share (tab())

    def new_page(self) -> Page:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            target = json.load(response)
        return Page(WebSocket(target["webSocketDebuggerUrl"]))

    def tab(self) -> Page:
        """The tab the tests share, reset (Page.reset); a new one if resetting the last one fails
        (a test that failed may have left it waiting on something)."""
        if self.page is not None:
            try:
                self.page.reset()
                return self.page
            except Exception:
                self._close_page()
        self.page = self.new_page()
        return self.page

    def _close_page(self) -> None:
        if self.page is not None:
            with contextlib.suppress(Exception):
                self.page.call("Page.close")
            self.page.ws.close()
            self.page = None

    def close(self) -> None:
        self._close_page()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# ---------------------------------------------------------------------- fixtures


@pytest.fixture()
def page(browser: Browser) -> Page:  # `browser`: one Chromium for the session (tests/conftest.py)
    """The session's tab (Browser.tab), reset to what a new tab is: opening a tab and its DevTools
    connection for each test took longer than many of the tests."""
    return browser.tab()


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest) -> str:
    """The live server's origin, ending with a slash (tests/conftest.py starts it; PSM_LIVE_URL
    points the tests at a server already running)."""
    url = os.environ.get("PSM_LIVE_URL") or request.getfixturevalue("live_server")
    return url if url.endswith("/") else url + "/"


def assert_clean(page: Page) -> None:
    assert page.errors == [], "console errors:\n" + "\n".join(page.errors)


# ---------------------------------------------------------------------- tests


def test_home(page: Page, site: str) -> None:
    page.goto(site + "?lang=it")  # without ?lang= the home page follows Chromium's Accept-Language
    assert "Piano Strategico Metropolitano" in page.evaluate("document.title")
    assert page.evaluate("document.documentElement.lang") == "it"
    assert page.evaluate("document.querySelector('h1').textContent").startswith(
        "Piano Strategico Metropolitano"
    )
    # the series: both editions, newest first, each with its status
    editions = page.evaluate(
        "[...document.querySelectorAll('ol.editions > li')].map(li => [li.dataset.edition,"
        " li.querySelector('.status .badge').textContent])"
    )
    assert [e[0] for e in editions] == ["2024-2026", "2021-2023"]
    assert all(e[1] in ("in vigore", "conclusa", "non ancora in vigore") for e in editions)
    # the edition at a glance: six axes, and its matrix graded (axis 1 ↔ M1, a reading of the source)
    assert page.evaluate("document.querySelectorAll('ol.axes > li').length") == 6
    marks = page.evaluate(
        "[...document.querySelectorAll('table.matrix tbody tr')].map(r => [r.querySelector('th')"
        ".textContent.trim(), [...r.querySelectorAll('td.on')]"
        ".map(c => c.dataset.concept + ':' + c.dataset.basis)])"
    )
    assert marks[0][0].startswith("1") and marks[0][1] == ["M1:interpretazione"]
    # charts: inline SVG images with a name
    assert page.evaluate("document.querySelectorAll('svg.chart[role=img]').length") >= 2
    # the stylesheet really applied (served from /static/ on the same origin)
    assert (
        page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    page.screenshot("home.png")
    page.screenshot("home-mobile.png", width=390)
    assert_clean(page)


SERIES_PAGES = {
    "home": "",
    "psm-2021-2023": "psm/2021-2023.html",
    "psm-2024-2026": "psm/2024-2026.html",
    "azione-mancante-1.1.1": "psm/2021-2023/azione/1.1.1?lang=it",
}


@pytest.mark.parametrize("name", list(SERIES_PAGES))
def test_series_pages_at_desktop_and_phone_widths(page: Page, site: str, name: str) -> None:
    """Home, both editions and a declared-but-missing action at 1280 and 390 px: nothing wider than
    the window (tables and charts scroll inside their own box), screenshots in test-artifacts/."""
    page.goto(site + SERIES_PAGES[name])
    for width in (1280, 390):
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1,
                  mobile=width < 600)  # fmt: skip
        page.settle()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width}px: {overflow}px wider than the window"
        if name != "azione-mancante-1.1.1":  # every chart is drawn, with its name
            boxes = page.evaluate(
                "[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().height)"
            )
            assert boxes and min(boxes) > 50, boxes
        page.screenshot(f"serie-{name}-{width}.png", width=width)
    if name == "azione-mancante-1.1.1":
        assert "Il piano dichiara 28 azioni per l'asse 1" in page.evaluate("document.body.innerText")
    else:
        assert_clean(page)


def test_action_page(page: Page, site: str) -> None:
    page.goto(site + "psm/2021-2023/azione/2.1.1")
    assert page.evaluate("location.pathname").startswith("/psm/2021-2023/azione/2.1.1")
    assert page.evaluate("document.querySelector('h1').textContent.trim()") == (
        "Rete metropolitana delle infrastrutture verdi"
    )
    crumbs = page.evaluate(
        "[...document.querySelectorAll('.breadcrumbs li')].map(li => li.textContent.trim())"
    )
    assert crumbs[-3:] == ["Asse 2", "Strategia 2.1", "Azione 2.1.1"]
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    thing = data["@graph"][0]
    assert thing["termCode"] == "2.1.1" and thing["name"] == "Rete metropolitana delle infrastrutture verdi"
    # the derived alignment (from axis 2) links to M2 on this origin, and that link works
    href = page.evaluate(
        "[...document.querySelectorAll('.alignments a')].find(a => a.textContent.includes('M2')).href"
    )
    assert href == site + "pnrr/missione/M2"
    page.screenshot("azione-2.1.1.png")
    assert_clean(page)
    page.goto(href)
    assert "Rivoluzione verde" in page.evaluate("document.querySelector('h1').textContent")
    assert_clean(page)


def test_sparql_page(page: Page, site: str) -> None:
    page.goto(site + "sparql")
    # choosing an example fills the query box (psm.js), then the form runs it
    page.evaluate(
        "(() => { const s = document.getElementById('example');"
        " s.value = 'matrice-allineamenti'; s.dispatchEvent(new Event('change')); })()"
    )
    assert "psm:missionePNRR" in page.evaluate("document.getElementById('query').value")
    page.submit_and_wait("document.getElementById('sparql-form').requestSubmit()")
    rows = page.evaluate("document.querySelectorAll('table.results tbody tr').length")
    assert rows >= 7
    headers = page.evaluate(
        "[...document.querySelectorAll('table.results thead th')].map(th => th.textContent)"
    )
    assert "codice_missione" in headers
    assert "Torino Metropoli + verde" in page.evaluate("document.querySelector('table.results').innerText")
    page.screenshot("sparql.png")
    assert_clean(page)
    # a broken query is shown as an error, not a blank page
    page.goto(site + "sparql?query=SELEKT%20nonsense")
    assert page.evaluate("!!document.querySelector('[role=alert]')")
    page.screenshot("sparql-error.png")


def test_search(page: Page, site: str) -> None:
    page.goto(site)
    page.type_text("#q-home", "GRAN bosco")
    page.press_enter()
    assert "q=GRAN" in page.evaluate("location.search")
    results = page.evaluate("document.querySelector('.search-results').innerText")
    assert "Gran Bosco Torino" in results
    page.screenshot("cerca-gran-bosco.png")
    assert_clean(page)
    page.goto(site + "cerca?q=citta")
    text = page.evaluate("document.querySelector('.search-results').innerText")
    assert "Città" in text
    assert_clean(page)


def test_ontology_hash_term(page: Page, site: str) -> None:
    """A hash term (ontologia#Azione) dereferences to the ontology page, scrolled to its anchor."""
    page.goto(site + "ontologia#Azione")
    assert page.evaluate("location.hash") == "#Azione"
    assert page.evaluate("document.querySelector(':target h3').textContent").startswith("psm:Azione")
    assert "Action of a strategy" in page.evaluate("document.querySelector(':target').innerText")
    page.screenshot("ontologia.png")
    assert_clean(page)


# Every kind of page the site has (templates/): no Content-Security-Policy violation on any of them.
PAGE_KINDS = [
    "", "psm/2021-2023.html", "psm/2021-2023/asse/1.html", "psm/2021-2023/strategia/1.1.html",
    "psm/2021-2023/azione/2.1.1.html", "psm/2024-2026.html", "pnrr/missione/M2.html", "pnrr.html",
    "strumento-finanziamento/rrf.html", "ontologia.html", "shapes.html", "fonte/presentazione.html",
    "dataset/pnrr.html", "catalogo.html",
    "cerca?q=verde", "sparql", "sparql?query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+3",
    "queries", "queries/azioni-incomplete", "pagina-che-non-esiste",
]  # fmt: skip
LISTEN_FOR_VIOLATIONS = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation', "
    "e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"
)


def test_no_content_security_policy_violation_on_any_page_kind(page: Page, site: str) -> None:
    """Pages need no 'unsafe-inline': all their assets are local files, no inline script or style."""
    page.call("Page.addScriptToEvaluateOnNewDocument", source=LISTEN_FOR_VIOLATIONS)  # DevTools: not blocked
    for path in PAGE_KINDS:
        page.errors.clear()
        page.goto(site + path)
        documents = [
            e["params"]["response"] for e in page.events
            if e.get("method") == "Network.responseReceived" and e["params"].get("type") == "Document"
        ]  # fmt: skip
        assert documents, path
        headers = {k.lower(): v for k, v in documents[-1]["headers"].items()}
        assert "unsafe-inline" not in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"], path
        assert documents[-1]["status"] == (404 if "non-esiste" in path else 200), path
        assert page.evaluate("window.__csp") == [], path
        unexpected = [e for e in page.errors if "404" not in e or "non-esiste" not in path]
        assert unexpected == [], f"{path}: {unexpected}"
    # the check itself works: an inline script (what the policy forbids) is reported
    page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('script'), {textContent: '1'}))"
    )
    page.settle()
    assert page.evaluate("window.__csp.length") >= 1


def test_api_docs_offline(page: Page, site: str) -> None:
    """/docs: Swagger UI from psm-ld's own files (no third-party request, so it works offline) shows
    the operations of /openapi.json."""
    page.call("Page.addScriptToEvaluateOnNewDocument", source=LISTEN_FOR_VIOLATIONS)
    page.goto(site + "docs")
    page.wait_until("document.querySelectorAll('.opblock').length", timeout=20)  # Swagger UI shows operations
    operations = page.evaluate(
        "[...document.querySelectorAll('.opblock')].map(o => o.querySelector('.opblock-summary-method')"
        ".textContent + ' ' + o.querySelector('.opblock-summary-path').dataset.path)"
    )
    assert {"GET /sparql", "POST /sparql", "GET /download/{name}", "GET /queries", "GET /{path}"} <= set(
        operations
    ), operations
    assert any(o.startswith("GET /queries/") for o in operations)
    requested = [
        e["params"]["request"]["url"] for e in page.events if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested and all(url.startswith(site) or url.startswith("data:") for url in requested), requested
    assert page.evaluate("window.__csp") == []  # the site's own policy: nothing inline, nothing remote
    page.screenshot("docs.png")
    assert_clean(page)
