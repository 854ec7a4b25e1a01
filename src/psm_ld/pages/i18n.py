"""The interface in Italian and English: messages from the catalogue (pages/messages.toml, read by
pages/messages.py), plurals, and how a request's language is chosen.

Contract: `LANGUAGES` are the languages pages are written in ("it" first: the plan's language and
the default). `Translator(lang)` gives a message by key (`t("nav.plan")`, with `str.format` fields:
`t("plan.crumb", code="2021-2023")`), a counted message (`t.n("results.count", 3)`: the singular for
1, the plural otherwise), a class's name for a number (`t.word("Azione", 2)` → «azioni») and the
participle of a declared count («dichiarate da», «declared by»). An unknown key raises KeyError, so a
page that uses a message the catalogue lacks fails its test instead of showing a key.

Choosing the language (`language`): an explicit `?lang=it|en` wins; otherwise, where the page may
vary (`negotiate=True`), the best of `Accept-Language`; otherwise Italian. Which pages negotiate and
why: psm_ld.pages.urls (the decision is documented there and in README).
"""

from __future__ import annotations

from psm_ld.pages.messages import FEMININE, MESSAGES, PLURALS, WORDS

LANGUAGES = ("it", "en")
DEFAULT = "it"
NAMES = {"it": "Italiano", "en": "English"}


class Translator:
    """The messages of one language (see the module's contract)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.index = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **fields: object) -> str:
        text = MESSAGES[key][self.index]
        return text.format(**fields) if fields else text

    def n(self, key: str, n: int, **fields: object) -> str:
        singular, plural = PLURALS[key][self.index]
        return (singular if n == 1 else plural).format(n=n, **fields)

    def word(self, cls: str, n: int) -> str:
        """The name of `n` things of the class `cls`: «1 azione», «2 azioni»; unknown classes as
        they are."""
        forms = WORDS.get(cls)
        if forms is None:
            return cls
        singular, plural = forms[self.index]
        return singular if n == 1 else plural

    def declared(self, cls: str, n: int) -> str:
        """«dichiarate da» (agreeing with the class and number), «declared by»."""
        if self.lang == "en":
            return "declared by"
        ending = ("a" if n == 1 else "e") if cls in FEMININE else ("o" if n == 1 else "i")
        return f"dichiarat{ending} da"

    def declared_short(self, cls: str, n: int) -> str:
        """«dichiarate 28», «28 declared»."""
        if self.lang == "en":
            return f"{n} declared"
        return f"{self.declared(cls, n).removesuffix(' da')} {n}"


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Language ranges (primary subtag, lower case) with their q-values, in header order."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower().split("-", 1)[0]
        if not tag:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((tag, q))
    return ranges


def accepted(header: str | None) -> str:
    """The language of `LANGUAGES` the Accept-Language header prefers (highest q, then first
    listed; `*` means any, so Italian); Italian when it names none of them."""
    best, best_q = DEFAULT, 0.0
    for tag, q in parse_accept_language(header):
        lang = DEFAULT if tag == "*" else tag
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def explicit(value: str | None) -> str | None:
    """The language a `?lang=` value names, or None (absent or not one of `LANGUAGES`)."""
    return value if value in LANGUAGES else None


def language(query_lang: str | None, accept_language: str | None, *, negotiate: bool) -> str:
    """The language of a page: `?lang=` if it names one, else Accept-Language where the page
    negotiates, else Italian."""
    chosen = explicit(query_lang)
    if chosen:
        return chosen
    return accepted(accept_language) if negotiate else DEFAULT
