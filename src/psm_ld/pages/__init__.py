"""Step 3, what a resource looks like: HTML pages (Jinja2 templates, static assets) and RDF
documents of every resource (describe, documents), and the label search index (search). Reads
the release through psm_ld.query; renders for the server and for the static export alike."""
