"""Parse catalog files as CKAN's DCAT harvester does, and print what CKAN would store, as JSON.

Run by tests/test_ckan_harvest.py with the Python of .venv-ckan (`make ckan`), never imported by the
test suite: CKAN lives in its own environment. ckanext-dcat's DCATRDFHarvester fetches a catalog,
hands it to `RDFParser` with the configured profiles and creates one CKAN package per dataset dict
the parser yields; the package creation needs CKAN's database, so this script stops at the dataset
dicts (the same code, in-process) and adds, for each licence id, whether CKAN's licence register
knows it.

    python harvest.py PROFILE FORMAT=FILE [FORMAT=FILE ...]   (FORMAT as rdflib names it: turtle, xml…)

Prints {"versions": {...}, "datasets": {FORMAT: [dataset dict, ...]}, "licences": [known ids]}.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

from ckan.model.license import LicenseRegister
from ckanext.dcat.processors import RDFParser


def main(profile: str, inputs: list[str]) -> None:
    datasets: dict[str, list[dict[str, object]]] = {}
    for item in inputs:
        rdf_format, path = item.split("=", 1)
        parser = RDFParser(profiles=[profile])
        parser.parse(Path(path).read_bytes(), _format=rdf_format)
        datasets[rdf_format] = list(parser.datasets())
    result = {
        "versions": {name: version(name) for name in ("ckan", "ckanext-dcat", "rdflib")},
        "datasets": datasets,
        "licences": sorted(LicenseRegister().keys()),
    }
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
