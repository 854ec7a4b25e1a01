"""Harvest by CKAN: the catalog as CKAN 2.12 with ckanext-dcat 2.4.4 reads it.

The app (in-process, tests/servers.py) answers the catalog in Turtle, RDF/XML and JSON-LD, as a
harvester asks for it; CKAN's DCAT parser (the code ckanext-dcat's harvester runs before creating
packages) reads each, with the DCAT-AP 3 and DCAT-AP 2 profiles, in .venv-ckan (`make ckan`, run by
`make test`): tests/ckan/harvest.py prints the dataset dicts CKAN would store. Parsed once per session,
in one CKAN process (importing CKAN takes longer than parsing): the catalog in each format with each
profile, and a plain catalog that shows the harvest can fail; the tests assert on what it printed.

What CKAN keeps is asserted per dataset: a licence id from CKAN's register, media types as text
(`text/csv`) and formats as CKAN names them where its register knows the media type (CSV, RDF),
publisher with its IPA code, contact, temporal coverage (where the catalog states one), spatial
coverage, languages, landing page and access rights. ckanext-dcat 2.4.4 writes dcat:inSeries but does not read
it, so the plan editions' dataset series is asserted on the catalog graph (test_catalog.py), and here
only that the series is not harvested as a tenth dataset.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from modes import Apps, AppSpec
from servers import ROOT, Serving

pytestmark = pytest.mark.slow  # CKAN's parser runs in its own venv, in a subprocess

CKAN_PYTHON = ROOT / ".venv-ckan" / "bin" / "python"
HARVEST = ROOT / "tests" / "ckan" / "harvest.py"
# what a harvester asks for, and the name rdflib (ckanext-dcat's parser) gives the format
FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
PROFILES = ("euro_dcat_ap_3", "euro_dcat_ap_2")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = EU + "file-type/"
# download suffix -> (CKAN resource format, mimetype). CKAN names a format from its format register by
# media type ("RDF" is its name for RDF/XML); the register lacks the other RDF media types, and the
# other way ckanext-dcat has to a name conflicts with DCAT-AP_IT (src/psm_ld/build/catalog.py), so
# those formats stay the EU file-type IRI, which CKAN keeps as the format.
RESOURCE_FORMATS = {
    "ttl": (FILE_TYPE + "RDF_TURTLE", "text/turtle"),
    "nt": (FILE_TYPE + "RDF_N_TRIPLES", "application/n-triples"),
    "nq": (FILE_TYPE + "RDF_N_QUADS", "application/n-quads"),
    "jsonld": (FILE_TYPE + "JSON_LD", "application/ld+json"),
    "rdf": ("RDF", "application/rdf+xml"),
    "csv": ("CSV", "text/csv"),
}
# the periods data/catalogo.ttl states, and the whole publication's (from its parts); the ontology,
# the shapes, the PNRR and the funding instruments have none in the catalog
TEMPORAL = {
    "psm-2021-2023": ("2021-01-01", "2023-12-31"),
    "psm-2024-2026": ("2024-01-01", "2026-12-31"),
    "coesione-2021-2027": ("2021-01-01", "2027-12-31"),
    "programmi-ue": ("2021-01-01", "2027-12-31"),
    "psm-ld": ("2021-01-01", "2027-12-31"),
}
LANDING = {
    "psm-ld": "",
    "psm-2021-2023": "psm/2021-2023.html",
    "psm-2024-2026": "psm/2024-2026.html",
    "pnrr": "pnrr.html",
    "coesione-2021-2027": "coesione/2021-2027.html",
    "programmi-ue": "programma-ue.html",
    "strumenti-finanziamento": "strumento-finanziamento.html",
    "ontologia": "ontologia.html",
    "shapes": "shapes.html",
}


# a catalog without the licence's title and labels (test_the_harvest_can_fail), harvested with PROFILES[0]
PLAIN = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <d> a dcat:Dataset ; dct:title "D" ; dcat:distribution <d/x> .
    <d/x> a dcat:Distribution ; dcat:downloadURL <x.ttl> ;
        dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
        dct:format <http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE> ;
        dcat:mediaType <http://www.iana.org/assignments/media-types/text/turtle> .
"""


@pytest.fixture(scope="session")
def harvested(
    apps: Apps, same_origin_spec: AppSpec, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict]:
    """Per profile, what tests/ckan/harvest.py prints for the catalog in each format (served from memory:
    the session's `same_origin` app); under "plain", what it prints for PLAIN with PROFILES[0]. One
    run of harvest.py does all."""
    same_origin = apps.serve(same_origin_spec, "memory")
    if not CKAN_PYTHON.exists():
        pytest.fail(f"CKAN is not installed: `make ckan` creates {CKAN_PYTHON.parent.parent} for this test.")
    folder = tmp_path_factory.mktemp("ckan")
    inputs = []
    for media, rdf_format in FORMATS.items():
        response = same_origin.get("catalogo", headers={"Accept": media}, follow_redirects=True)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        path = folder / f"catalogo.{rdf_format}"
        path.write_bytes(response.content)
        inputs.append(f"{rdf_format}={path}")
    plain = folder / "plain.ttl"
    plain.write_text(PLAIN)
    jobs = {profile: inputs for profile in PROFILES} | {"plain": [f"turtle={plain}"]}
    arguments = [a for job, files in jobs.items() for a in (PROFILES[0] if job == "plain" else job, *files)]
    done = subprocess.run([CKAN_PYTHON, HARVEST, *arguments], capture_output=True, text=True, timeout=300,
                          cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(jobs), done.stdout[-3000:]
    return {job: json.loads(line) for job, line in zip(jobs, lines, strict=True)}


def extras(dataset: dict) -> dict[str, str]:
    return {extra["key"]: extra["value"] for extra in dataset.get("extras", [])}


def by_name(datasets: list[dict]) -> dict[str, dict]:
    return {extras(d)["identifier"]: d for d in datasets}


def test_ckan_is_the_real_one(harvested: dict[str, dict]) -> None:
    versions = harvested["euro_dcat_ap_3"]["versions"]
    assert versions["ckan"] == "2.12.0" and versions["ckanext-dcat"] == "2.4.4"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("rdf_format", FORMATS.values())
def test_every_dataset_is_harvested_with_what_portals_show(
    harvested: dict[str, dict], same_origin: Serving, profile: str, rdf_format: str
) -> None:
    result = harvested[profile]
    datasets = by_name(result["datasets"][rdf_format])
    assert set(datasets) == set(LANDING)  # nine datasets; the series is not one of them
    base = same_origin.url
    for name, dataset in datasets.items():
        found = extras(dataset)
        assert dataset["license_id"] == "cc-by" and "cc-by" in result["licences"], name
        assert dataset["url"] == base + LANDING[name], name
        assert found["publisher_name"] in ("Metropolitan City of Turin", "Città metropolitana di Torino")
        assert found["publisher_identifier"] == "cmto"
        assert found["contact_email"] == "piano_strategico@cittametropolitana.torino.it"
        assert found["spatial_uri"] == base + "territorio/citta-metropolitana-di-torino"
        assert found["spatial_text"] in ("Metropolitan City of Turin", "Città metropolitana di Torino")
        assert set(json.loads(found["language"])) == {EU + "language/ITA", EU + "language/ENG"}
        assert found["access_rights"] == EU + "access-right/PUBLIC"
        assert (found.get("temporal_start"), found.get("temporal_end")) == TEMPORAL.get(name, (None, None))
        assert dataset["resources"], name
        for resource in dataset["resources"]:
            suffix = resource["url"].rsplit(".", 1)[1]
            assert (resource["format"], resource["mimetype"]) == RESOURCE_FORMATS[suffix], resource["url"]
            assert resource["description"] and resource["name"], resource["url"]
            assert resource["size"] > 0


def test_the_harvest_can_fail(harvested: dict[str, dict]) -> None:
    """The same parser on a catalog without the licence's title and labels (PLAIN) keeps what the
    issue saw: no licence id, IRIs for format and media type."""
    (dataset,) = harvested["plain"]["datasets"]["turtle"]
    (resource,) = dataset["resources"]
    assert dataset["license_id"] == ""
    assert resource["format"].startswith("http://") and resource["mimetype"].startswith("http://")
