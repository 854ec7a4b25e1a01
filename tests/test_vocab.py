"""One vocabulary module (psm_ld.vocab): plain strings, importable without rdflib, the only place a
namespace IRI is written out; the build side's rdflib namespaces are the same IRIs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Namespace

from psm_ld import vocab
from psm_ld.build import iris

SRC = Path(vocab.__file__).resolve().parent
NAMESPACES = {
    name: value
    for name, value in vars(vocab).items()
    if name.isupper() and isinstance(value, str) and re.match(r"https?://", value)
}


def test_vocab_imports_without_rdflib() -> None:
    code = "import sys, psm_ld.vocab; print(any(m.split('.')[0] == 'rdflib' for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("build_name", "vocab_name"),
    [("RDF", "RDF"), ("RDFS", "RDFS"), ("OWL", "OWL"), ("XSD", "XSD"), ("SKOS", "SKOS"),
     ("SKOSXL", "SKOSXL"), ("DCTERMS", "DCT"), ("DCAT", "DCAT"), ("DCATAPIT", "DCATAPIT"), ("SH", "SH"),
     ("PROV", "PROV"), ("VANN", "VANN"), ("VOID", "VOID")],
)  # fmt: skip
def test_build_namespaces_are_the_vocab_iris(build_name: str, vocab_name: str) -> None:
    namespace = getattr(iris, build_name)
    assert str(namespace if isinstance(namespace, Namespace) else namespace._NS) == getattr(vocab, vocab_name)


def test_prefixes_use_the_vocab_strings() -> None:
    assert set(vocab.PREFIXES.values()) <= set(NAMESPACES.values())


def test_no_namespace_iri_is_written_out_elsewhere() -> None:
    """A namespace IRI appears once in src/: in vocab.py (grep-proof: a quoted literal anywhere else
    fails, whatever the local name after it)."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "vocab.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(SRC)}: {name}" for name, iri in NAMESPACES.items() if f'"{iri}' in text
        ]
    assert offenders == []


def test_each_name_means_one_thing() -> None:
    """Names that once meant several things (issue 9) are each defined once, by one module."""
    names = ("Format", "FORMATS", "DOWNLOADS", "NQUADS", "SCHEMA", "MEDIA_TYPES", "TYPES", "state")
    defined: dict[str, list[str]] = {name: [] for name in names}
    for path in sorted(SRC.rglob("*.py")):
        if path.stem in names:
            defined[path.stem].append(f"{path.relative_to(SRC)} (module)")
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"(?:class|def) (\w+)|(\w+)(?:: [^=]+)? = ", line)
            name = match and (match.group(1) or match.group(2))
            if name in defined:
                defined[name].append(str(path.relative_to(SRC)))
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}
