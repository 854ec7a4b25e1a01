"""The one error a client is told about: `Problem`, an HTTP status with a text in Italian and English.

The layers below the web (the SPARQL protocol and the query workers in psm_ld.query, the named
queries) raise a Problem, or a subclass that says where it comes from (`ProtocolError`,
`QueryFailed`, `QueryError`); they know what went wrong and which status says it, not how it is
shown. The web layer shows every one in a single place (psm_ld.web.errors): RFC 9457
`application/problem+json`, a line of plain text, or an HTML page, by what the client accepts.
The command line prints the same text.

Every text has one shape, Italian first: `«italiano» / «English»`, then `: «detail»` when there is a
detail nobody translates (a parser's message, a list of names):

    >>> Problem(400, "Errore di sintassi SPARQL", "SPARQL syntax error", detail="1:7: expected {").message
    'Errore di sintassi SPARQL / SPARQL syntax error: 1:7: expected {'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Problem(Exception):
    """An error with the HTTP status it deserves and its text in both languages.

    `detail` is made one line (a parser's message may span several); `limit` is the number a limit
    error is about (rows, bytes, seconds), for programs that want it without parsing the text;
    `headers` go on the response as they are (e.g. `Vary: Accept`).
    A Problem crosses process boundaries (the query workers send it back pickled).
    """

    def __init__(
        self,
        status: int,
        it: str,
        en: str,
        *,
        detail: str | None = None,
        limit: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status, self.it, self.en = status, it, en
        self.detail = " ".join(detail.split()) or None if detail else None  # one line, as the texts
        self.limit, self.headers = limit, dict(headers or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The text in its one shape: `italiano / English[: detail]`."""
        text = f"{self.it} / {self.en}"
        return f"{text}: {self.detail}" if self.detail else text

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword arguments do not survive Exception's default pickling (it replays self.args)
        fields = (self.status, self.it, self.en, self.detail, self.limit, self.headers)
        return _rebuild, (type(self), *fields)


def _rebuild(
    kind: type[Problem], status: int, it: str, en: str, detail: str | None, limit: float | None,
    headers: dict[str, str],
) -> Problem:  # fmt: skip
    return kind(status, it, en, detail=detail, limit=limit, headers=headers)
