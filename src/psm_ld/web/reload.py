"""Serving a new release without a restart: the server follows `build/current` (with
PSM_STORE=sparql: the current release in the engine's metadata graph, which `psm-ld publish`
switches only to a release loaded whole and checked).

`psm-ld build` switches `current` only to a release whose data validated (release.py), so following
the link serves exactly the releases that passed, and a failed build leaves the served one alone.
A release whose manifest does not check out (release.verify: empty, truncated, hand-made) is not
loaded: the served one stays.
A new release is loaded beside the one being served and swapped in with one assignment; requests
already under way finish on the old one, whose query workers are stopped once no query can still be
running on them (the time limit).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from psm_ld.config import Settings
from psm_ld.queries import NamedQuery
from psm_ld.release import ReleaseError
from psm_ld.web.served import load, release_to_serve

log = logging.getLogger("uvicorn.error")


async def follow_releases(app_state: Any, settings: Settings, queries: dict[str, NamedQuery]) -> None:
    """Forever: every `settings.reload_seconds`, serve the current release if it is a new one."""
    loop = asyncio.get_running_loop()
    failed: str | None = None  # a release that would not load is not tried again
    while True:
        await asyncio.sleep(settings.reload_seconds)
        served = app_state.served
        try:
            newest = await loop.run_in_executor(None, release_to_serve, settings)
        except Exception as exc:  # noqa: BLE001 - the SPARQL store did not answer: keep serving
            log.warning("psm-ld: could not read the current release (%s); still serving", exc)
            continue
        if served is None or newest is None or newest.id in (served.release.id, failed):
            continue
        log.info("psm-ld: new release %s: loading it beside %s", newest.id, served.release.id)
        try:
            fresh = await loop.run_in_executor(None, load, settings, newest, queries, loop)
        except ReleaseError as exc:  # keep serving the old release
            failed = newest.id
            log.warning("psm-ld: %s; still serving %s", exc, served.release.id)
            continue
        except Exception:  # keep serving the old release; the log says why
            failed = newest.id
            log.exception("psm-ld: release %s not loaded; still serving %s", newest.id, served.release.id)
            continue
        app_state.served = fresh
        loop.call_later(settings.query_timeout + 1, served.pool.close)
        log.info("psm-ld: now serving release %s (was %s)", newest.id, served.release.id)
