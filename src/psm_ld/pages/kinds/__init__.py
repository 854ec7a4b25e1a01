"""One context builder per page kind: each module gives the variables its template
(templates/<kind>.html) renders, read from the model (psm_ld.pages.model) with links for one request
(psm_ld.pages.urls.View). Nothing here renders markup; `Pages` (psm_ld.pages.render) picks the kind
of an IRI and renders its template.

plan (the plan page and the home page), member (axis, strategy, action), concept (a vocabulary
concept), scheme (a vocabulary), source, ontology, shapes, generic (anything else), services (search,
SPARQL form, named queries, not found).
"""
