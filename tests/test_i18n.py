"""Italian and English: the message catalogue, pages in both languages (data literals in the chosen
language, Italian marked where the data has no English), and how URLs, headers and caches carry the
language (pages/urls.py: the language is in the URL; app pages without ?lang= negotiate)."""

from __future__ import annotations

import re
import string

import pytest
from servers import InProcess
from test_pages import ORIGIN, page, pages, tags, text

from psm_ld.pages.i18n import Translator, accepted, language
from psm_ld.pages.messages import MESSAGES, PLURALS, WORDS

ACTION = "psm/2021-2023/azione/2.1.1"
OP1 = "coesione/2021-2027/obiettivo/OP1"


def every_page(lang: str) -> dict[str, str]:
    p = pages()
    out = {
        "home": p.home(ORIGIN, lang),
        "search": p.search("verde", ORIGIN, lang),
        "sparql": p.sparql_form(None, None, None, ORIGIN, lang),
        "queries": p.queries_index(ORIGIN, lang),
        "query": p.query_page("conteggi-per-asse", {}, None, ORIGIN, lang=lang),
        "not_found": p.not_found("/nulla/qui", ORIGIN, lang),
    }
    for path in (
        "psm/2021-2023", "psm/2021-2023/asse/2", "psm/2021-2023/strategia/2.1", ACTION, "pnrr/missione/M2",
        OP1, "pnrr", "fonte/presentazione", "ontologia", "shapes", "catalogo",
        "psm/2021-2023/conteggio/piano-strategie-presentazione",
    ):  # fmt: skip
        markup = p.resource(p.base + path, ORIGIN, lang)
        assert markup is not None, path
        out[path] = markup
    return out


def test_catalogue_is_complete_in_both_languages() -> None:
    for key, pair in MESSAGES.items():
        assert len(pair) == 2 and all(s.strip() for s in pair), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(s) if f} for s in pair]
        assert fields[0] == fields[1], f"{key}: the two languages take different fields"
    for key, forms in [*PLURALS.items(), *WORDS.items()]:
        assert len(forms) == 2 and all(len(f) == 2 and all(f) for f in forms), key


def test_plurals_agree() -> None:
    it, en = Translator("it"), Translator("en")
    assert it.n("member.actions_in_data", 1) == "1 azione nei dati"
    assert it.n("member.actions_in_data", 3) == "3 azioni nei dati"
    assert en.n("results.count", 1) == "1 result" and en.n("results.count", 0) == "0 results"
    assert it.word("Asse", 1) == "asse" and it.word("Asse", 6) == "assi"
    assert it.declared("Strategia", 28) == "dichiarate da" and it.declared("Asse", 1) == "dichiarato da"
    assert en.declared_short("Azione", 111) == "111 declared"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_page_kind_in_both_languages(lang: str) -> None:
    other = "en" if lang == "it" else "it"
    for name, markup in every_page(lang).items():
        assert f'<html lang="{lang}">' in markup, name
        links = {a.get("hreflang"): a["href"] for t, a in tags(markup) if t == "link" and a.get("hreflang")}
        assert set(links) == {"it", "en", "x-default"}, name
        assert "lang=en" in links["en"] and "lang=en" not in links["x-default"], name
        canonical = [a["href"] for t, a in tags(markup) if t == "link" and a.get("rel") == "canonical"]
        assert len(canonical) == 1, name
        switch = re.search(r'(?s)<nav class="lang-switch".*?</nav>', markup)
        assert switch and 'aria-current="true"' in switch.group(0), name
        assert f'hreflang="{other}"' in switch.group(0), name
        # interface strings of the other language do not leak in (a few of each, as sentinels)
        leaks = {"it": ("Skip to content", "Search", "Sources"), "en": ("Vai al contenuto", "Fonti", "Cerca")}
        for word in leaks[lang]:
            assert not re.search(rf"(?<![\w-]){word}(?![\w-])", _chrome(markup)), (name, word)


def _chrome(markup: str) -> str:
    """The interface text of a page without the data it shows in either language (elements with a
    lang attribute, result tables, code) and without the language switch."""
    markup = re.sub(r'(?s)<nav class="lang-switch".*?</nav>', " ", markup)
    markup = re.sub(r'(?s)<(\w+)[^>]*\blang="[a-z]+"[^>]*>.*?</\1>', " ", markup[20:])
    markup = re.sub(r"(?s)<(pre|code|table|textarea|select)\b.*?</\1>", " ", markup)
    return text(markup)


def test_english_prefers_english_literals_and_marks_italian() -> None:
    english = pages().resource(pages().base + OP1, ORIGIN, "en") or ""
    assert "<h1>a more competitive and smarter Europe" in english
    action = pages().resource(pages().base + ACTION, ORIGIN, "en") or ""
    # no English title in the data: the Italian one, marked as Italian
    assert (
        '<h1><span lang="it" class="fb">Rete metropolitana delle infrastrutture verdi</span></h1>' in action
    )
    assert "Where the data has no English text" in text(action)
    assert "Where the data has no English text" not in text(page(ACTION))


@pytest.mark.parametrize("lang", ["it", "en"])
def test_op1_has_one_name_on_the_home_page_and_its_own(lang: str) -> None:
    p = pages()
    own = p.resource(p.base + OP1, ORIGIN, lang) or ""
    title = text(re.search(r"(?s)<h1>(.*?)</h1>", own).group(1))  # type: ignore[union-attr]
    home = p.home(ORIGIN, lang)
    legend = re.search(r"(?s)<dt>OP1</dt><dd>(.*?)</dd>", home)
    assert legend and text(legend.group(1)) == title
    assert f'title="{title}"' in home.replace("&#39;", "'").replace("’", "’")


def test_links_keep_the_language() -> None:
    english = pages().resource(pages().base + ACTION, ORIGIN, "en") or ""
    local = [  # every link but the language switch's
        a["href"]
        for t, a in tags(english)
        if t == "a" and a.get("href", "").startswith(ORIGIN) and "hreflang" not in a
    ]
    resources = [h for h in local if not h.startswith((ORIGIN + "static/", ORIGIN + "download/"))]
    assert resources and all("lang=en" in h for h in resources if not re.search(r"\.(ttl|jsonld|rdf|nt)$", h))
    assert f'{ORIGIN}pnrr/missione/M2?lang=en"' in english
    italian = page(ACTION)
    assert f'href="{ORIGIN}pnrr/missione/M2"' in italian  # a resource in Italian: its bare IRI
    assert f'href="{ORIGIN}queries?lang=it"' in italian  # an app page: the language, explicitly


def test_accept_language() -> None:
    assert accepted(None) == "it" and accepted("") == "it"
    assert accepted("en-US,en;q=0.9") == "en"
    assert accepted("fr, en;q=0.5, it;q=0.8") == "it"
    assert accepted("de, *;q=0.1") == "it"
    assert language("en", "it", negotiate=True) == "en"
    assert language(None, "en", negotiate=False) == "it"
    assert language("xx", "en", negotiate=True) == "en"


# ---------------------------------------------------------------- over HTTP (in-process app)


def test_app_pages_negotiate_and_say_so(same_origin: InProcess) -> None:
    for path in ("", "cerca?q=verde", "queries", "queries/conteggi-per-asse", "sparql", "nulla/qui"):
        english = same_origin.get(path, headers={"Accept-Language": "en-GB,en;q=0.9", "Accept": "text/html"})
        assert english.status_code in (200, 404), path
        assert '<html lang="en">' in english.text and english.headers["content-language"] == "en", path
        assert "accept-language" in english.headers["vary"].lower(), path
        chosen = same_origin.get(
            path + ("&" if "?" in path else "?") + "lang=it",
            headers={"Accept-Language": "en", "Accept": "text/html"},
        )
        assert '<html lang="it">' in chosen.text and chosen.headers["content-language"] == "it", path
        assert "accept-language" not in chosen.headers.get("vary", "").lower(), path


def test_documents_name_their_language_and_are_cached_per_language(same_origin: InProcess) -> None:
    italian = same_origin.get(ACTION + ".html", headers={"Accept-Language": "en"})
    english = same_origin.get(ACTION + ".html?lang=en")
    assert '<html lang="it">' in italian.text and italian.headers["content-language"] == "it"
    assert '<html lang="en">' in english.text and english.headers["content-language"] == "en"
    assert "accept-language" not in italian.headers["vary"].lower()
    assert italian.headers["etag"] != english.headers["etag"]
    assert f'{ACTION}.html?lang=en>; rel="canonical"' in english.headers["link"]
    assert same_origin.get(ACTION + ".html?lang=en").content == english.content  # from the cache
    turtle = same_origin.get(ACTION + ".ttl?lang=en")
    assert (
        turtle.content == same_origin.get(ACTION + ".ttl").content
        and "content-language" not in turtle.headers
    )
    see_other = same_origin.get(ACTION + "?lang=en", headers={"Accept": "text/html"}, follow_redirects=False)
    assert see_other.status_code == 303 and see_other.headers["location"].endswith(ACTION + ".html?lang=en")
    bare = same_origin.get(
        ACTION, headers={"Accept": "text/html", "Accept-Language": "en"}, follow_redirects=False
    )
    assert bare.headers["location"].endswith(ACTION + ".html")


def test_named_query_ignores_the_lang_parameter(same_origin: InProcess) -> None:
    answer = same_origin.get("queries/strategie-di-un-asse?asse=2&lang=en", headers={"Accept": "text/html"})
    assert answer.status_code == 200 and "Strategies of an axis" in answer.text
    assert '<th scope="col">Title</th>' in answer.text
    data = same_origin.get("queries/strategie-di-un-asse?asse=2&lang=en&format=json")
    assert data.status_code == 200 and data.json()["results"]["bindings"]
