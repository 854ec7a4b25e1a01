"""Every page kind in Chromium, in Italian and English, at 1280 and 390 px (issue 15): a screenshot
of each (test-artifacts/pages/<kind>-<lang>-<width>.png, gitignored), no sideways overflow, no
layout gaps, and axe-style checks written here: every img/svg named, every form control labelled,
the landmarks, the language attributes, and the contrast of text against its background computed
from the CSS colours (WCAG 2 AA: 4.5:1, 3:1 for large text). Then suggestions as you type.

Uses the DevTools client and fixtures of test_browser.py (Debian's headless Chromium, nothing
downloaded).
"""

# ruff: noqa: E501, F811 -- CHECKS is JavaScript, kept one statement a line; the fixtures imported
# from test_browser are parameters of the tests here (what F811 takes for a redefinition)

from __future__ import annotations

import json

import pytest
from test_browser import ARTIFACTS, Page, assert_clean, page, site  # noqa: F401

pytestmark = pytest.mark.slow  # Chromium against a real server

WIDTHS = (1280, 390)
LANGS = ("it", "en")
GAP = 160  # px: the tallest band of a page's main with nothing in it (a heading's margins are ~50)
# page kind → its path; documents name their language with ?lang=en, app pages with ?lang=it|en
KINDS = {
    "home": "",
    "plan": "psm/2021-2023.html",
    "axis": "psm/2021-2023/asse/2.html",
    "strategy": "psm/2021-2023/strategia/2.1.html",
    "action": "psm/2021-2023/azione/2.1.1.html",
    "mission": "pnrr/missione/M2.html",
    "component": "pnrr/componente/M2C1.html",
    "objective": "coesione/2021-2027/obiettivo/OP1.html",
    "programme": "programma-ue/horizon-europe.html",
    "instrument": "strumento-finanziamento/ngeu.html",
    "scheme": "pnrr.html",
    "scheme-cohesion": "coesione/2021-2027.html",
    "source": "fonte/presentazione.html",
    "ontology": "ontologia.html",
    "shapes": "shapes.html",
    "catalog": "catalogo.html",
    "count": "psm/2021-2023/conteggio/piano-strategie-presentazione.html",
    "search": "cerca?q=aree+protette",
    "sparql": "sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+%3Chttp%3A%2F%2Fwww.w3.org%2F2004%2F02%2Fskos%2Fcore%23ConceptScheme%3E+%7D",
    "queries": "queries",
    "query": "queries/conteggi-per-asse",
    "query-empty": "queries/strategie-di-un-asse?asse=9",
    "not-found": "nulla/qui",
    "error": "queries/strategie-di-un-asse?asse=x&nonesiste=1",
}

# measured in the page: one JSON object per check
CHECKS = r"""
(() => {
  const out = {};
  const doc = document.documentElement;
  out.lang = doc.lang;
  out.overflow = [doc.scrollWidth, window.innerWidth];
  out.wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > WIDTH + 1 && !e.closest('.table-scroll, pre, .visually-hidden, .skip');
  }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  // layout gaps: the tallest band of <main> that no leaf element covers (a form control, the query
  // editor included, covers its whole box: its empty lines are room to type, not a gap)
  const main = document.querySelector('main');
  const top = main.getBoundingClientRect().top + scrollY, bottom = main.getBoundingClientRect().bottom + scrollY;
  const ownText = e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const spans = [...main.querySelectorAll('*')].filter(e => !e.children.length || ownText(e) || e.matches('img, svg, input, select, textarea, button, .cm-editor'))
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 0 && r.width > 0)
    .map(r => [r.top + scrollY, r.bottom + scrollY]).sort((a, b) => a[0] - b[0]);
  let reach = top, gap = 0;
  for (const [a, b] of spans) { if (a > reach) gap = Math.max(gap, a - reach); reach = Math.max(reach, b); }
  out.gap = Math.round(Math.max(gap, bottom - reach - 48));
  // property rows no taller than their content
  out.tallRows = [...document.querySelectorAll('dl.props > div')].filter(d => {
    const kids = [...d.children].map(k => k.getBoundingClientRect().height);
    return d.getBoundingClientRect().height > kids.reduce((s, h) => s + h, 0) + 40;
  }).length;
  // names of images and graphics
  out.unnamed = [...document.querySelectorAll('img, svg')].filter(e =>
    !(e.getAttribute('alt') !== null || e.querySelector(':scope > title') || e.getAttribute('aria-label')
      || e.getAttribute('aria-labelledby') || e.getAttribute('aria-hidden') === 'true')).map(e => e.outerHTML.slice(0, 80));
  // labels of form controls
  out.unlabelled = [...document.querySelectorAll('input, select, textarea')].filter(e =>
    e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map(e => e.outerHTML.slice(0, 80));
  out.unnamedButtons = [...document.querySelectorAll('button, a[href]')].filter(e => !e.textContent.trim() && !e.getAttribute('aria-label')).length;
  out.landmarks = ['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length);
  out.langs = [...new Set([...document.querySelectorAll('[lang]')].map(e => e.getAttribute('lang')))];
  out.h1 = document.querySelectorAll('h1').length;
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  out.duplicateIds = ids.filter((id, i) => ids.indexOf(id) !== i);
  // contrast of every piece of text against the background it sits on
  const rgb = s => { const m = s.match(/[\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  const background = e => {
    const layers = [];
    for (let x = e; x; x = x.parentElement) { const c = rgb(getComputedStyle(x).backgroundColor); if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  out.lowContrast = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || seen.has(e)) continue;
    seen.add(e);
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (!r.width || !r.height || s.visibility === 'hidden' || e.closest('.visually-hidden, .skip, [hidden], script, noscript')) continue;
    let opacity = 1;
    for (let x = e; x; x = x.parentElement) opacity *= Number(getComputedStyle(x).opacity);
    const bg = background(e);
    const fg = over([...rgb(s.color).slice(0, 3), rgb(s.color)[3] * opacity], bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) out.lowContrast.push(e.tagName + '.' + e.className + ' «' + n.textContent.trim().slice(0, 30) + '» ' + ratio.toFixed(2));
  }
  return JSON.stringify(out);
})()
"""


def _size(width: int) -> dict[str, object]:
    """The emulated window of the checks at `width` (Emulation.setDeviceMetricsOverride)."""
    return {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}


def _at(page: Page, width: int) -> None:
    page.call("Emulation.setDeviceMetricsOverride", **_size(width))


def _url(site: str, path: str, lang: str) -> str:
    joiner = "&" if "?" in path else "?"
    if path.endswith(".html") and lang == "it":
        return site + path  # a document without ?lang= is Italian
    return f"{site}{path}{joiner}lang={lang}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_page_kind_in_both_languages_and_widths(page: Page, site: str, kind: str) -> None:
    problems: list[str] = []
    for lang in LANGS:
        # loaded once per language, then measured at each width: a change of the emulated window lays
        # the page out again (no script of ours reads the width at load), and every figure of CHECKS
        # was the same as a page loaded at that width, for every kind (compared on 2026-12-02)
        _at(page, WIDTHS[0])
        page.goto(_url(site, KINDS[kind], lang))
        for width in WIDTHS:
            _at(page, width)
            found = json.loads(page.evaluate(CHECKS.replace("WIDTH", str(width))))
            where = f"{kind} {lang} {width}px"
            scroll, inner = found["overflow"]
            # a phone's layout viewport grows to fit what overflows: the width asked for is the measure
            if scroll > inner or scroll > width:
                problems.append(f"{where}: {scroll - inner}px sideways overflow {found['wide']}")
            if found["gap"] > GAP:
                problems.append(f"{where}: a {found['gap']}px gap in the layout")
            if found["tallRows"]:
                problems.append(f"{where}: {found['tallRows']} property rows taller than their content")
            if found["lang"] != lang:
                problems.append(f"{where}: <html lang={found['lang']}>")
            if not set(found["langs"]) <= {"it", "en"}:
                problems.append(f"{where}: lang attributes {found['langs']}")
            for name in ("unnamed", "unlabelled", "lowContrast", "duplicateIds"):
                if found[name]:
                    problems.append(f"{where}: {name} {found[name][:5]}")
            if found["unnamedButtons"]:
                problems.append(f"{where}: {found['unnamedButtons']} links or buttons without a name")
            if min(found["landmarks"]) < 1 or found["landmarks"][2] != 1 or found["h1"] != 1:
                problems.append(
                    f"{where}: landmarks header/nav/main/footer {found['landmarks']}, h1 {found['h1']}"
                )
            if kind != "error" and kind != "not-found":
                assert_clean(page)
            page.errors.clear()
            # restored to the checks' window after
            path = page.screenshot(f"pages/{kind}-{lang}-{width}.png", width=width, restore=_size(width))
            assert path.stat().st_size > 1000
    assert not problems, "\n".join(problems)


def test_suggestions_as_you_type(page: Page, site: str) -> None:
    """Typing in the search field lists suggestions (a listbox the field controls); the arrow keys
    choose and Enter opens the page of the one chosen."""
    for lang, expected in (("it", "Rete metropolitana delle infrastrutture verdi"), ("en", "2.1.1")):
        page.goto(f"{site}?lang={lang}")
        page.type_text("#q-home", "parchi")
        options = page.wait_until(
            "[...document.querySelectorAll('#q-home-suggestions [role=option]')].map(o => o.textContent)"
        )
        assert any(expected in o for o in options), options
        assert page.evaluate("document.getElementById('q-home').getAttribute('aria-expanded')") == "true"
        assert page.evaluate("document.getElementById('q-home').getAttribute('role')") == "combobox"
        index = next(i for i, o in enumerate(options) if "2.1.1" in o)
        for _ in range(index + 1):
            page.call(
                "Input.dispatchKeyEvent",
                type="keyDown",
                key="ArrowDown",
                code="ArrowDown",
                windowsVirtualKeyCode=40,
            )
        active = page.evaluate("document.getElementById('q-home').getAttribute('aria-activedescendant')")
        assert (
            active
            and page.evaluate(f"document.getElementById({json.dumps(active)}).getAttribute('aria-selected')")
            == "true"
        )
        page.screenshot(f"pages/suggestions-{lang}.png")
        page.press_enter()
        assert "azione/2.1.1" in page.evaluate("location.pathname")
        assert page.evaluate("document.documentElement.lang") == lang
        assert_clean(page)
