"""The message catalogue, read once from messages.toml beside this module (every interface text in
Italian and English, as data; pages/i18n.py translates with it).

Contract: `MESSAGES` key → (Italian, English); `PLURALS` key → ((Italian singular, plural), (English
singular, plural)); `WORDS` an ontology class (local name) → its name in the same shape; `FEMININE`
the classes whose Italian name is feminine. An entry of another shape stops the import with a
CatalogueError that names the file, the table and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

CATALOGUE = Path(__file__).with_name("messages.toml")

Pair = tuple[str, str]
Forms = tuple[Pair, Pair]  # (Italian singular, plural), (English singular, plural)


class Catalogue(NamedTuple):
    messages: dict[str, Pair]
    plurals: dict[str, Forms]
    words: dict[str, Forms]
    feminine: frozenset[str]


class CatalogueError(ValueError):
    """A catalogue entry of the wrong shape; the text says where, Italian first then English."""


def load(path: Path = CATALOGUE) -> Catalogue:
    """The catalogue in `path`, every entry checked (a TOML file: any shape would parse)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def table(name: str) -> dict[str, object]:
        found = data.get(name)
        if not isinstance(found, dict):
            raise CatalogueError(f"{path.name}: manca la tabella [{name}] / the table [{name}] is missing")
        return found

    def where(name: str, key: str) -> str:
        return f"{path.name} [{name}] «{key}»"

    return Catalogue(
        messages={k: _pair(v, where("messages", k)) for k, v in table("messages").items()},
        plurals={k: _forms(v, where("plurals", k)) for k, v in table("plurals").items()},
        words={k: _forms(v, where("words", k)) for k, v in table("words").items()},
        feminine=frozenset(_strings(table("grammar").get("feminine"), where("grammar", "feminine"))),
    )


def _pair(value: object, where: str) -> Pair:
    """An [Italian, English] pair of texts.

    >>> _pair(["sì", "yes"], "messages.toml [messages] «matrix.yes»")
    ('sì', 'yes')
    >>> _pair(["sì"], "[messages] «matrix.yes»")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    psm_ld.pages.messages.CatalogueError: [messages] «matrix.yes»: atteso [italiano, inglese] / expected ...
    """
    texts = _strings(value, where)
    if len(texts) != 2:
        raise CatalogueError(f"{where}: atteso [italiano, inglese] / expected [Italian, English]")
    return texts[0], texts[1]


def _forms(value: object, where: str) -> Forms:
    """[[Italian singular, plural], [English singular, plural]]."""
    expected = "[[singolare, plurale] italiani, [singolare, plurale] inglesi]"
    if not isinstance(value, list) or len(value) != 2:
        raise CatalogueError(
            f"{where}: atteso {expected} / expected [[Italian singular, plural], [English singular, plural]]"
        )
    return _pair(value[0], where), _pair(value[1], where)


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: atteso un elenco di testi / expected a list of texts")
    return value


MESSAGES, PLURALS, WORDS, FEMININE = load()
