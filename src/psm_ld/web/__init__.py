"""Step 4, the HTTP server: the ASGI app (app), the SPARQL and named-query routes (endpoints),
dereferencing (dereference), open-data routes (opendata), what a loaded release holds (served) and
following new releases without a restart (reload). Uses pages and query; never the build side."""
