"""What a query must be before the engine sees it, and what the engine may never do. Runs in the query
worker process (off the server's event loop, under the query time limit).

- **No outbound connection, whatever the text.** The worker installs a seccomp filter (sandbox.py)
  before it opens the store: its process cannot create a socket, so no SERVICE the engine finds, in
  any spelling, can reach the network (pyoxigraph always builds its HTTP client in and gives Python
  no way to switch SERVICE off). The clear refusal (403) is decided on the parse: the engine's own
  (a SERVICE it tries to call fails with the sandbox's error, reported as the refusal) and, first,
  rdflib's grammar of SPARQL 1.1 for any text that could spell SERVICE (`mentions_service`: a
  necessary condition, so texts that cannot are not parsed twice), which also catches `SILENT`.
- **No crash of the engine.** pyoxigraph's parser and evaluator recurse once per level of nesting and
  per operator of a chain; deep enough, that overflows the stack and the worker dies (SIGSEGV): about
  3,000 nested groups or 10,000 chained operators on an 8 MiB stack (bench/RESULTS.md). The worker
  runs queries on a thread with a 256 MiB stack (fifteen to thirty times further), and `check_limits`
  refuses, before parsing, a text with more nested brackets or more operator and separator characters
  than the limits (counted on the raw text, strings and IRIs included: it can only count too many).
- **Read-only, dataset, IRIs** (`analyse`, `map_iris`): whether the text is an update (403), whether
  it names its own dataset (FROM), and the rewriting of IRIs in its IRI tokens. Each reads the whole
  text (up to 1 MiB: about a second of Python on this machine, issue 10 point 6), which is why they
  run here and not in the server's event loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
UPDATES = "INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD"
READ_ONLY = (
    f"Endpoint in sola lettura: gli aggiornamenti SPARQL ({UPDATES}) non sono ammessi",
    f"This endpoint is read-only: SPARQL Update ({UPDATES}) is not accepted",
)
NO_SERVICE = (
    "Le query federate non sono ammesse: questo endpoint rifiuta SERVICE",
    "Federated queries are not allowed: SERVICE is refused by this endpoint",
)
STACK_BYTES = 256 * 1024 * 1024  # the query thread's stack (reserved; pages are used only as needed)

# Characters each of which can add a node to the engine's parse tree or algebra: brackets, path and
# expression operators, the separators of triple patterns (. ; ,) and of lists.
_SYMBOLS = "{}()[]!^|/&=<>+-*,;."
_BRACKETS = re.compile(r"[{}()\[\]]")
_OPEN = frozenset("{([")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# One pass over the query text; strings, IRIs and comments are consumed whole so that keywords
# inside them are never mistaken for syntax.
_TOKENS = (
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<pname>[\w.\-]*:[\w.\-:%]*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<other>\S)"
)
_TOKEN = re.compile(_TOKENS, re.DOTALL)
# The same tokens, only the words captured: findall gives one string per token (empty but for
# words) without a match object per token, several times faster than finditer over _TOKEN.
_WORDS = re.compile(re.sub(r"\(\?P<(?!word>)\w+>", "(?:", _TOKENS).replace("(?P<word>", "("), re.DOTALL)


@dataclass(frozen=True)
class Analysis:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None when unrecognisable: the parser will say)
    is_update: bool
    has_dataset: bool  # FROM / FROM NAMED in the query itself


def _unescape(text: str) -> str:
    # SPARQL applies \u / \U escapes to the whole text before parsing (SPARQL 1.1 §19.2); so do we,
    # or `\u0053ERVICE` would slip past the check.
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def analyse(text: str) -> Analysis:
    """The query form and what the text says of updates and datasets, read on its word tokens."""
    words = _WORDS.findall(_unescape(text))
    first = next((w.upper() for w in words if w and w.upper() not in {"BASE", "PREFIX"}), None)
    return Analysis(
        form=first if first in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"} else None,
        is_update=first in UPDATE_KEYWORDS,
        has_dataset=" FROM " in " ".join(["", *words, ""]).upper(),
    )


def unescaped(text: str) -> str:
    """The text as SPARQL reads it: after its \\u and \\U escapes (SPARQL 1.1 §19.2)."""
    return _unescape(text) if "\\" in text else text


def query_form(text: str) -> str | None:
    """analyse(text).form, or the update keyword that begins the text (upper case), for an
    `unescaped` text; reading only up to its first keyword (the prologue is usually short)."""
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if word and word.upper() not in {"BASE", "PREFIX"}:
            return word.upper()
    return None


def names_dataset(text: str) -> bool:
    """analyse(text).has_dataset, for an `unescaped` text: whether a FROM keyword is in it. Read on
    the tokens only if the letters are there at all (they rarely are)."""
    return "FROM" in text.upper() and " FROM " in " ".join(["", *_WORDS.findall(text), ""]).upper()


def map_iris(text: str, source: str, target: str) -> str:
    """Rewrite IRIs under `source` to `target` in the IRI tokens of a query (nowhere else)."""
    if source == target or source not in text:
        return text

    def swap(match: re.Match[str]) -> str:
        iri = match.group("iri")
        if iri and iri.startswith("<" + source):
            return "<" + target + iri[1 + len(source) :]
        return match.group(0)

    return _TOKEN.sub(swap, text)


@dataclass(frozen=True)
class Limits:
    max_depth: int = 500  # nested brackets: { } ( ) [ ] (PSM_QUERY_MAX_DEPTH)
    max_symbols: int = 20_000  # operators and separators (PSM_QUERY_MAX_SYMBOLS)


def check_limits(text: str, limits: Limits) -> tuple[str, str, int] | None:
    """The refusal of a text over the limits, (Italian, English, the limit), each text naming the
    limit and its setting; or None. Linear, no recursion."""
    symbols = sum(text.count(c) for c in _SYMBOLS)
    if _too_deep(text, limits.max_depth, symbols > limits.max_symbols):
        return (
            f"Query troppo annidata: più di {limits.max_depth} parentesi una dentro l'altra ({{ ( [), "
            "il limite (PSM_QUERY_MAX_DEPTH); semplificarla",
            f"Query too deeply nested: more than {limits.max_depth} nested brackets ({{ ( [), the "
            "limit (PSM_QUERY_MAX_DEPTH); flatten the query",
            limits.max_depth,
        )
    if symbols > limits.max_symbols:
        return (
            f"Query troppo complessa: {symbols} caratteri di operatori e separatori ({_SYMBOLS}), oltre "
            f"il limite di {limits.max_symbols} (PSM_QUERY_MAX_SYMBOLS); dividerla o scaricare i dati",
            f"Query too complex: {symbols} operator and separator characters ({_SYMBOLS}), more than "
            f"the limit of {limits.max_symbols} (PSM_QUERY_MAX_SYMBOLS); split it or download the dump",
            limits.max_symbols,
        )
    return None


def _too_deep(text: str, max_depth: int, refused_anyway: bool) -> bool:
    if sum(text.count(c) for c in _OPEN) <= max_depth:
        return False  # so few opening brackets cannot nest deeper than the limit
    depth = deepest = 0
    for n, match in enumerate(_BRACKETS.finditer(text)):
        if refused_anyway and n > 4 * max_depth:
            return False  # only to name the right limit: no need to read a text refused anyway
        depth += 1 if match.group() in _OPEN else -1
        deepest = max(deepest, depth)
        if deepest > max_depth:
            return True
    return False


def mentions_service(text: str) -> bool:
    """Whether the text could spell the keyword SERVICE at all: the letters, in any case (Unicode
    case mappings included: 'ſ'.upper() is 'S'), after \\u and \\U escapes. A necessary condition
    only: it also holds for a comment or an IRI that mentions a service."""
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return "SERVICE" in decoded.upper() or "service" in decoded.casefold() or "service" in decoded.lower()


def uses_service(text: str) -> bool | None:
    """Whether rdflib's SPARQL 1.1 grammar finds a SERVICE pattern anywhere in the query (subqueries,
    EXISTS, MINUS, OPTIONAL, expressions), or None when it cannot parse the text (then the engine
    decides, inside the sandbox). Imported here only: most queries never need it."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - a syntax error, or nesting too deep for pyparsing
        return None
    stack: list[object] = [tree]
    while stack:  # iterative: a deep tree must not exhaust the Python stack
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False
