"""Step 1 of the flow, the build side: the plan office's tables and Turtle files become an rdflib
graph (tables, iris, graph), checked with SHACL (validate), described for harvesters (catalog,
dumps), and written as a release (write). Nothing that serves imports this package."""
