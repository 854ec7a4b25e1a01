"""The API as /openapi.json describes it (issue 10, point 9): schemathesis generates requests for
every operation from the description and checks each answer against it (no 500, documented status,
documented media type, headers, JSON schemas). In-process, on the session's app; a few examples per
operation keep it fast.

And the description covers every route the app answers, with the media types it sends.
"""

from __future__ import annotations

import os
import re
from typing import Any

from servers import InProcess
from starlette.routing import Mount, Route

EXAMPLES = int(os.environ.get("PSM_SCHEMATHESIS_EXAMPLES", "15"))  # per operation


def test_every_operation_answers_as_described(same_origin: InProcess) -> None:
    # imported here: schemathesis and hypothesis take seconds to import, and every xdist worker
    # imports every test module, while one worker runs this test
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    # A request the schema allows may still be refused: a string is not always a SPARQL query or
    # an IRI. Those answers are checked like any other (a documented 400, never a 500).
    not_checked = [positive_data_acceptance]
    every_check = list(HealthCheck)
    schema = schemathesis.openapi.from_dict(same_origin.get("/openapi.json").json())
    failures, labels = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=every_check)
        def answers_as_described(case: Any) -> None:
            case.validate_response(_send(same_origin, case), excluded_checks=not_checked)

        try:
            answers_as_described()
        except (Exception, BaseExceptionGroup) as exc:  # each operation's first failure, not only one's
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n\n".join(failures)
    assert {"GET /{path}", "POST /sparql", "GET /static/{file}", "GET /robots.txt"} <= set(labels)


def _send(served: InProcess, case: Any) -> Any:
    """The case's request through the session's in-process client."""
    request = case.as_transport_kwargs(base_url=served.url.rstrip("/"))
    body = request.get("data")
    raw, form = (None, body) if isinstance(body, dict) else (body, None)
    return served.test_client.request(
        request["method"], request["url"], headers=request.get("headers"), params=request.get("params"),
        json=request.get("json"), content=raw, data=form,
    )  # fmt: skip


def test_every_route_is_described(same_origin: InProcess) -> None:
    described = same_origin.get("/openapi.json").json()["paths"]
    app = same_origin.test_client.app
    hidden = {"/openapi.json", "/docs"}  # the description itself and its viewer
    for route in app.routes:  # type: ignore[attr-defined]
        path = re.sub(r":\w+}", "}", route.path) + ("/{file}" if isinstance(route, Mount) else "")
        if path in hidden:
            continue
        if path == "/queries/{name}":  # described once per named query
            assert [p for p in described if p.startswith("/queries/")], path
            continue
        assert path in described, path
        if isinstance(route, Route) and route.methods:
            for method in route.methods - {"HEAD"}:
                assert method.lower() in described[path], (method, path)
