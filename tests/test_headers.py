"""Security headers (issue 10, point 8): every response says nosniff; every page has a
Content-Security-Policy without 'unsafe-inline' that forbids framing, and a Referrer-Policy. The
browser test (test_browser.py) checks that no page breaks the policy; the export's (test_export.py)
that nginx sends the same headers."""

from __future__ import annotations

import pytest
from servers import InProcess

from psm_ld.web.security import CONTENT_SECURITY_POLICY, HEADERS

ACTION = "psm/2021-2023/azione/2.1.1"
ANSWERS = [
    ("GET", "/", 200), ("GET", f"/{ACTION}.html", 200), ("GET", f"/{ACTION}", 303),
    ("GET", f"/{ACTION}.ttl", 200), ("GET", "/catalogo.jsonld", 200), ("GET", "/health", 200),
    ("GET", "/sparql?query=ASK%7B%7D", 200), ("GET", "/sparql?query=nonsense", 400), ("GET", "/nope", 404),
    ("GET", "/static/psm.css", 200), ("GET", "/download/psm.ttl", 200), ("GET", "/sitemap.xml", 200),
    ("GET", "/openapi.json", 200), ("DELETE", "/sparql", 405), ("GET", "/queries/nope", 404),
]  # fmt: skip


@pytest.mark.parametrize("method, path, status", ANSWERS)
def test_every_response_has_the_security_headers(same_origin: InProcess, method: str, path: str,
                                                 status: int) -> None:  # fmt: skip
    response = same_origin.test_client.request(method, path, headers={"accept": "text/html,*/*;q=0.1"})
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.headers.get_list(name) == [value], name


def test_the_policy_allows_nothing_inline_and_no_framing() -> None:
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_the_api_documentation_is_under_the_site_policy(same_origin: InProcess) -> None:
    """/docs needs no exception: Swagger UI's files are local and started from a script file."""
    response = same_origin.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
