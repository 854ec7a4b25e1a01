"""The error page a browser sees (templates/error.html), for every status but 404 (Pages.not_found,
which offers a search), in the page's language. It needs no release, so it is shown while one is
still loading too."""

from __future__ import annotations

from functools import cache

from psm_ld.errors import Problem
from psm_ld.pages.i18n import DEFAULT, Translator
from psm_ld.pages.render import templates
from psm_ld.pages.urls import View

_environment = cache(templates)  # one for every error page: it needs no release


def error_page(
    problem: Problem, title: str, base: str, origin: str, lang: str = DEFAULT, path: str = ""
) -> str:
    """The page of `problem` in `lang`; `title` is its status's, `italiano / English`; `path` the
    request's (for the language switch)."""
    it_title, _, en_title = title.partition(" / ")
    english = lang == "en"
    template = _environment().get_template("error.html")
    return template.render(
        v=View(base, origin, lang, here=path),
        t=Translator(lang),
        title=en_title if english else it_title,
        text=problem.en if english else problem.it,
        problem=problem,
    )
