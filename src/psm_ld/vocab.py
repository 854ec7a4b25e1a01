"""The names psm-ld speaks, as plain strings (importable without rdflib): namespace IRIs and media
types, each written out here once.

One meaning per name. A vocabulary's prefix in capitals (`SKOS`, `DCT`, `DCAT`) is always its
namespace IRI, a `str` ending in `#` or `/`; a format's name (`TURTLE`, `NQUADS`, `CSV`) is always its
media type, never a format object or a file suffix. The build side makes its rdflib `Namespace`s
from these strings (build/iris.py); the serving side concatenates them (`SKOS + "prefLabel"`).
"""

# --- namespaces -------------------------------------------------------------------------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"
DCT = "http://purl.org/dc/terms/"  # DCMI terms (rdflib calls it DCTERMS)
DCAT = "http://www.w3.org/ns/dcat#"
DCATAPIT = "http://dati.gov.it/onto/dcatapit#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
VANN = "http://purl.org/vocab/vann/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"  # unique IRIs of the W3C formats (sd:resultFormat)
SCHEMA_ORG = "https://schema.org/"  # the JSON-LD of HTML pages (search engines)
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"  # EU Publications Office tables
EU_FILE_TYPE = EU_AUTHORITY + "file-type/"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"

# The prefixes written in RDF output (Turtle, JSON-LD contexts) and in query pages, in this order;
# `psm:` is added per base (query/serialize.py `prefixes`).
PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "dcat": DCAT,
    "prov": PROV,
    "sh": SH,
    "skosxl": SKOSXL,
    "vann": VANN,
    "void": VOID,
    "sd": SD,
}

# --- media types ------------------------------------------------------------------------------

HTML = "text/html"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
JSON = "application/json"
PLAIN_TEXT = "text/plain"
PROBLEM_JSON = "application/problem+json"  # RFC 9457 problem details (web/errors.py)
