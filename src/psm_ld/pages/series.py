"""The plan as a series of editions: each edition's status (in force, ended, not yet in force) from
its start and end years against today's date.

Contract: `status(start, end, year)` is pure (doctests below); `today()` is the one place the pages
read the date, so tests can move it. The status changes only when the year does, so pages that show
it depend on the current *year*: the document cache and the ETag of HTML documents carry it
(psm_ld.pages.documents, psm_ld.web.dereference), the home page is rendered per request, and a static
export (psm-ld export) shows the status of the year it was written in: run it again after 1 January
when an edition starts or ends (README, «In produzione»).
"""

from __future__ import annotations

import re
from datetime import date

# status → (Italian, English); "" is an edition whose years no source gives
STATUS_LABELS = {
    "in-vigore": ("in vigore", "in force"),
    "conclusa": ("conclusa", "ended"),
    "futura": ("non ancora in vigore", "not yet in force"),
    "": ("non indicato dalle fonti", "not stated by the sources"),
}


def today() -> date:
    """Today's date, as the pages see it (tests replace this function)."""
    return date.today()


def year_of(value: str) -> int | None:
    """The year a date literal starts with («2021», «2021-02-10»), or None.

    >>> year_of("2024-07-19"), year_of("2026"), year_of("")
    (2024, 2026, None)
    """
    match = re.match(r"^(\d{4})", value.strip())
    return int(match.group(1)) if match else None


def status(start: str, end: str, year: int) -> str:
    """The status of an edition valid from `start` to `end` (years, as the data writes them) in
    `year`: "in-vigore" from its start year to its end year included, "conclusa" after, "futura"
    before; "" when the data lacks either year (no guess).

    >>> [status("2021", "2023", y) for y in (2020, 2021, 2023, 2024)]
    ['futura', 'in-vigore', 'in-vigore', 'conclusa']
    >>> status("2024", "", 2025)
    ''
    """
    first, last = year_of(start), year_of(end)
    if first is None or last is None:
        return ""
    if year < first:
        return "futura"
    return "in-vigore" if year <= last else "conclusa"
