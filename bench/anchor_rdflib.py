"""The SPARQL anchor: rdflib-endpoint (PyPI) serving the same release, as a user would set it up.

    python bench/anchor_rdflib.py --nquads build/current/psm.nq --port 8001

The N-Quads go into an rdflib Dataset with default_union=True (the default graph is the union of
the named graphs, as on psm-ld's /sparql); rdflib-endpoint's app runs under uvicorn on loopback.
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nquads", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(args.nquads, format="nquads")
    print(f"anchor: {len(dataset)} quads loaded in {time.perf_counter() - started:.2f} s", flush=True)
    app = SparqlEndpoint(
        graph=dataset, path="/sparql", title="rdflib-endpoint (bench anchor)", cors_enabled=True
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
