"""The names psm-ld speaks, as plain strings (importable without rdflib): media types.

One meaning per name: `TURTLE` is always the media type, never a format object or a file suffix.
"""

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
