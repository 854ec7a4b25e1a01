"""Step 2, querying a release: the store that holds it (store), the SPARQL 1.1 Protocol and its
checks (sparql), query workers with real time limits (executor runs inside each; worker is the
server's end of one, pool hands them jobs fairly), content negotiation (conneg), output formats
(serialize), the bounded cache (cache) and the completeness report made of named queries
(completeness). Uses only the release, the settings and the named queries."""
