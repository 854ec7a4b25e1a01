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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
