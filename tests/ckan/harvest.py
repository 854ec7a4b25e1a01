"""Parse catalog files as CKAN's DCAT harvester does, and print what CKAN would store, as JSON.

Run by tests/test_ckan_harvest.py with the Python of .venv-ckan (`make ckan`), never imported by the
test suite: CKAN lives in its own environment. ckanext-dcat's DCATRDFHarvester fetches a catalog,
hands it to `RDFParser` with the configured profiles and creates one CKAN package per dataset dict
the parser yields; the package creation needs CKAN's database, so this script stops at the dataset
dicts (the same code, in-process) and adds, for each licence id, whether CKAN's licence register
knows it.

    python harvest.py PROFILE FORMAT=FILE [FORMAT=FILE ...] [PROFILE FORMAT=FILE ...]
    (FORMAT as rdflib names it: turtle, xml…)

Each PROFILE starts a job: the files after it, parsed with that profile. Prints one JSON line per
job, in order: {"versions": {...}, "datasets": {FORMAT: [dataset dict, ...]}, "licences": [known ids]}.
The test session runs every job in one process: importing CKAN takes longer than parsing.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

from ckan.model.license import LicenseRegister
from ckanext.dcat.processors import RDFParser


def harvest(profile: str, inputs: list[str]) -> dict[str, object]:
    datasets: dict[str, list[dict[str, object]]] = {}
    for item in inputs:
        rdf_format, path = item.split("=", 1)
        parser = RDFParser(profiles=[profile])
        parser.parse(Path(path).read_bytes(), _format=rdf_format)
        datasets[rdf_format] = list(parser.datasets())
    return {
        "versions": {name: version(name) for name in ("ckan", "ckanext-dcat", "rdflib")},
        "datasets": datasets,
        "licences": sorted(LicenseRegister().keys()),
    }


def main(arguments: list[str]) -> None:
    jobs: list[tuple[str, list[str]]] = []
    for argument in arguments:
        if "=" in argument:
            jobs[-1][1].append(argument)  # IndexError: a file before any profile
        else:
            jobs.append((argument, []))
    for profile, inputs in jobs:
        json.dump(harvest(profile, inputs), sys.stdout, default=str)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
