"""Named queries: `queries/*.rq` files whose header says what they answer and what they take.

Header lines (before the first non-comment line):
    # title: …            # title@en: …
    # description: …      # description@en: …
    # param: NAME TYPE [= DEFAULT] -- descrizione / description      (TYPE: string | integer)
    # column: VAR = Titolo / Title                     (the result column ?VAR as people read it)
A parameter's description and a column's title are Italian, then « / » and English (one text alone
serves both languages). Columns without a `# column:` line are titled by their variable name.
Parameter values become a VALUES block at the start of the query's WHERE group, each value
serialized as an escaped RDF literal, so the same text runs on pyoxigraph or any remote store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from psm_ld.errors import Problem
from psm_ld.vocab import XSD

_HEADER = re.compile(r"^#\s*(title|description|param|column)(@en)?\s*:\s*(.*)$")
_COLUMN = re.compile(r"^\??(\w+)\s*=\s*(.+)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PARAM = re.compile(r'^(\w+)\s+(string|integer)\s*(?:=\s*"?(.*?)"?)?\s*(?:--\s*(.*))?$')


class QueryError(Problem):
    """A named query that cannot run as asked (400: a parameter) or as written (500: its file)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    description: str

    def described(self, lang: str) -> str:
        """The description in `lang` ("it" or "en"): its Italian or English half."""
        return bilingual(self.description, lang)

    def parse(self, raw: str) -> str | int:
        if self.type == "integer":
            try:
                return int(raw)
            except ValueError as exc:
                raise QueryError(
                    400,
                    f"Il parametro «{self.name}» vuole un intero, non «{raw}»",
                    f"Parameter «{self.name}» takes an integer, not «{raw}»",
                ) from exc
        return raw


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    params: tuple[Param, ...]
    text: str
    path: Path
    columns: tuple[tuple[str, str], ...] = ()  # (variable, «Titolo / Title») from `# column:` lines

    def column_title(self, variable: str, lang: str) -> str:
        """The title of the result column `variable` in `lang`; the variable's name without one."""
        for name, title in self.columns:
            if name == variable:
                return bilingual(title, lang)
        return variable

    def bindings(self, given: dict[str, str]) -> dict[str, str | int]:
        """Values for every parameter: given ones parsed, others from defaults."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            names = ", ".join(sorted(unknown))
            raise QueryError(400, f"Parametri sconosciuti: {names}", f"Unknown parameters: {names}")
        values: dict[str, str | int] = {}
        for param in self.params:
            raw = given.get(param.name, param.default)
            if raw is None:
                raise QueryError(
                    400,
                    f"Manca il parametro obbligatorio «{param.name}»",
                    f"The required parameter «{param.name}» is missing",
                )
            values[param.name] = param.parse(raw)
        return values

    def render(self, given: dict[str, str] | None = None) -> str:
        """The query text with its parameters bound."""
        values = self.bindings(given or {})
        if not values:
            return self.text
        names = " ".join(f"?{name}" for name in values)
        terms = " ".join(_literal(value) for value in values.values())
        block = f"\n  VALUES ({names}) {{ ({terms}) }}"
        match = _WHERE.search(self.text)
        if match is None:
            raise QueryError(
                500,
                f"{self.path.name}: serve una clausola WHERE {{ … }} esplicita",
                f"{self.path.name}: an explicit WHERE {{ … }} clause is needed",
            )
        return self.text[: match.end()] + block + self.text[match.end() :]


def _literal(value: str | int) -> str:
    """A parameter's value as a SPARQL literal (pyoxigraph's N-Triples form: escaped, valid SPARQL;
    not rdflib's, whose import a server need not pay at start)."""
    if isinstance(value, int):
        return str(ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer")))
    return str(ox.Literal(value))


def parse_query(path: Path) -> NamedQuery:
    meta: dict[str, str] = {}
    params: list[Param] = []
    columns: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, english, value = match.groups()
        if key == "param":
            param = _PARAM.match(value.strip())
            if not param:
                raise QueryError(
                    500,
                    f"{path.name}, riga {number}: parametro illeggibile «{value}»",
                    f"{path.name}, line {number}: unreadable parameter «{value}»",
                )
            name, kind, default, description = param.groups()
            params.append(Param(name, kind, default, description or ""))
        elif key == "column":
            column = _COLUMN.match(value.strip())
            if not column:
                raise QueryError(f"{path.name}, riga {number}: colonna illeggibile «{value}»")
            columns.append((column.group(1), column.group(2).strip()))
        else:
            meta[key + ("_en" if english else "")] = value.strip()
    if "title" not in meta:
        raise QueryError(
            500,
            f"{path.name}: manca «# title:» nell'intestazione",
            f"{path.name}: «# title:» missing from the header",
        )
    return NamedQuery(
        name=path.stem,
        title=meta["title"],
        title_en=meta.get("title_en", meta["title"]),
        description=meta.get("description", ""),
        description_en=meta.get("description_en", meta.get("description", "")),
        params=tuple(params),
        text=path.read_text(encoding="utf-8"),
        path=path,
        columns=tuple(columns),
    )


def bilingual(text: str, lang: str) -> str:
    """The Italian or English half of «italiano / English» (the whole text when it has one half)."""
    italian, sep, english = text.rpartition(" / ")
    if not sep:
        return text
    return english.strip() if lang == "en" else italian.strip()


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    return {q.name: q for q in map(parse_query, sorted(folder.glob("*.rq")))}
