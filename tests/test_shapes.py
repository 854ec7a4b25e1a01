"""Every shape rejects a graph broken in the way it guards against; the clean data passes.

One build of the plan serves the whole module: each test breaks it inside `broken()`, which puts it
back quad for quad afterwards (and checks it did), so only validation is paid per case. A shape case
validates only the broken node (`findings_on`: its findings, a subset of the whole validation's on it,
so a case that passes would pass on the whole); a few cases compare the two."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from kg import BASE, fresh_build
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from psm_ld.build.built import Built
from psm_ld.build.validate import Finding, Report, findings_on, validate

PSM = BASE + "ontologia#"
PLAN = URIRef(BASE + "psm/2021-2023")
AXIS1 = URIRef(BASE + "psm/2021-2023/asse/1")
AXIS2 = URIRef(BASE + "psm/2021-2023/asse/2")
STRATEGY = URIRef(BASE + "psm/2021-2023/strategia/2.1")
ACTION = URIRef(BASE + "psm/2021-2023/azione/2.1.1")
M1 = URIRef(BASE + "pnrr/missione/M1")
M1C1 = URIRef(BASE + "pnrr/componente/M1C1")
OP1 = URIRef(BASE + "coesione/2021-2027/obiettivo/OP1")
HORIZON = URIRef(BASE + "programma-ue/horizon-europe")
RRF = URIRef(BASE + "strumento-finanziamento/rrf")
COUNT = URIRef(BASE + "psm/2021-2023/conteggio/piano-strategie-presentazione")
GRAPH = URIRef(BASE + "dataset/psm-2021-2023")
CATALOG = URIRef(BASE + "catalogo")
DATASET = URIRef(BASE + "dataset/pnrr")
DCAT = URIRef("http://www.w3.org/ns/dcat#")
STATED = URIRef(f"{AXIS1}#allineamento-missione-pnrr-M1")  # the slide's table, row by row
READING = URIRef(BASE + "psm/2021-2023/asse/6#allineamento-obiettivo-coesione-OP4")  # a layout reading
DERIVED = URIRef(f"{ACTION}#allineamento-missione-pnrr-M2")  # 2.1.1 inherits axis 2's mission


def psm(name: str) -> URIRef:
    return URIRef(PSM + name)


def drop(s: URIRef, p: URIRef) -> Callable[[Built], None]:
    return lambda b: b.dataset.remove((s, p, None, None))


def put(s: URIRef, p: URIRef, o: object) -> Callable[[Built], None]:
    return lambda b: b.dataset.graph(GRAPH).add((s, p, o))  # type: ignore[arg-type]


def swap(s: URIRef, p: URIRef, o: object) -> Callable[[Built], None]:
    def change(b: Built) -> None:
        drop(s, p)(b)
        put(s, p, o)(b)

    return change


# (id, how the graph is broken, the focus node, words of the expected English message)
CASES = [
    ("plan-label-missing", drop(PLAN, SKOS.prefLabel), PLAN, "Italian label"),
    ("plan-label-not-italian", swap(PLAN, SKOS.prefLabel, Literal("Plan", lang="en")), PLAN, "Italian label"),
    ("plan-source-missing", drop(PLAN, DCTERMS.source), PLAN, "source"),
    ("plan-source-not-iri", swap(PLAN, DCTERMS.source, Literal("seed")), PLAN, "source"),
    ("plan-code-pattern", swap(PLAN, SKOS.notation, Literal("2021/23")), PLAN, "YYYY-YYYY"),
    ("plan-top-concept-not-axis", put(PLAN, SKOS.hasTopConcept, STRATEGY), PLAN, "top concepts are axes"),
    (
        "axis-two-labels-same-language",
        put(AXIS1, SKOS.prefLabel, Literal("Altro", lang="it")),
        AXIS1,
        "label",
    ),
    ("axis-description-plain", swap(AXIS1, DCTERMS.description, Literal("x")), AXIS1, "description"),
    ("axis-code-missing", drop(AXIS1, SKOS.notation), AXIS1, "exactly one code"),
    ("axis-code-datatype", swap(AXIS1, SKOS.notation, Literal(1)), AXIS1, "exactly one code"),
    ("axis-code-pattern", swap(AXIS1, SKOS.notation, Literal("A1")), AXIS1, "axis code is a number"),
    ("axis-without-plan", drop(AXIS1, SKOS.topConceptOf), AXIS1, "exactly one plan"),
    ("axis-with-broader", put(AXIS1, SKOS.broader, AXIS2), AXIS1, "no broader"),
    ("axis-mission-wrong-class", swap(AXIS1, psm("missionePNRR"), OP1), AXIS1, ""),
    ("axis-cohesion-wrong-scheme", swap(AXIS1, psm("obiettivoStrategicoCoesione"), M1), AXIS1, ""),
    ("strategy-code-pattern", swap(STRATEGY, SKOS.notation, Literal("2-1")), STRATEGY, "axis.n"),
    ("strategy-without-axis", drop(STRATEGY, SKOS.broader), STRATEGY, "exactly one axis"),
    (
        "strategy-code-disagrees-with-axis",
        swap(STRATEGY, SKOS.notation, Literal("3.1")),
        STRATEGY,
        "does not start with its axis code",
    ),
    ("action-code-pattern", swap(ACTION, SKOS.notation, Literal("2.1")), ACTION, "axis.strategy.n"),
    (
        "action-code-disagrees-with-strategy",
        swap(ACTION, SKOS.notation, Literal("2.2.1")),
        ACTION,
        "does not start with its strategy code",
    ),
    (
        "action-title-language",
        swap(ACTION, SKOS.prefLabel, Literal("Titolo", lang="fr")),
        ACTION,
        "Italian (or English) text",
    ),
    ("action-without-strategy", drop(ACTION, SKOS.broader), ACTION, "exactly one strategy"),
    ("action-component-outside-pnrr", put(ACTION, psm("componentePNRR"), OP1), ACTION, ""),
    ("action-programme-outside-scheme", put(ACTION, psm("programmaUE"), M1), ACTION, ""),
    (
        "action-mission-outside-pnrr-scheme",
        lambda b: (
            put(ACTION, psm("missionePNRR"), M1)(b),
            b.dataset.remove((M1, SKOS.inScheme, None, None)),
        ),
        ACTION,
        "mission of the PNRR vocabulary",
    ),
    ("member-without-edition", drop(ACTION, SKOS.inScheme), ACTION, "exactly one edition"),
    (
        "member-in-other-edition-than-parent",
        swap(ACTION, SKOS.inScheme, URIRef(BASE + "psm/2024-2026")),
        ACTION,
        "",
    ),
    (
        "plan-instrument-outside-scheme",
        lambda b: (
            b.dataset.remove((RRF, SKOS.inScheme, None, None)),
            put(RRF, SKOS.inScheme, URIRef(BASE + "pnrr"))(b),
        ),
        PLAN,
        "funding instruments vocabulary",
    ),
    ("concept-without-label", drop(M1, SKOS.prefLabel), M1, "label"),
    ("concept-without-source", drop(M1, DCTERMS.source), M1, "source"),
    ("concept-without-scheme", drop(HORIZON, SKOS.inScheme), HORIZON, "belongs to a scheme"),
    ("concept-exact-match-literal", put(HORIZON, SKOS.exactMatch, Literal("HE")), HORIZON, ""),
    ("mission-code-pattern", swap(M1, SKOS.notation, Literal("M8")), M1, "mission code"),
    ("component-code-pattern", swap(M1C1, SKOS.notation, Literal("C1")), M1C1, "component code"),
    ("component-without-mission", drop(M1C1, SKOS.broader), M1C1, "exactly one mission"),
    (
        "specific-objective-without-objective",
        drop(URIRef(BASE + "coesione/2021-2027/obiettivo-specifico/RSO1.1"), SKOS.broader),
        URIRef(BASE + "coesione/2021-2027/obiettivo-specifico/RSO1.1"),
        "exactly one policy objective",
    ),
    ("scheme-without-source", drop(URIRef(BASE + "pnrr"), DCTERMS.source), URIRef(BASE + "pnrr"), "source"),
    ("count-value-not-integer", swap(COUNT, psm("valoreDichiarato"), Literal("28")), COUNT, "integer value"),
    (
        "count-class-not-a-level",
        swap(COUNT, psm("classeConteggiata"), psm("Conteggio")),
        COUNT,
        "axes, strategies or actions",
    ),
    (
        "count-without-owner",
        lambda b: b.dataset.remove((None, psm("conteggioDichiarato"), COUNT, None)),
        COUNT,
        "plan or an axis",
    ),
    ("count-without-source", drop(COUNT, DCTERMS.source), COUNT, "source"),
    (
        "alignment-without-its-basis",
        lambda b: b.dataset.remove((AXIS1, psm("allineamentoQualificato"), STATED, None)),
        AXIS1,
        "without a stated or interpreted qualified alignment",
    ),
    ("stated-alignment-without-source", drop(STATED, DCTERMS.source), STATED, "without a source"),
    (
        "stated-alignment-without-short-triple",
        drop(AXIS1, psm("missionePNRR")),
        STATED,
        "without the short triple",
    ),
    (
        "alignment-basis-unknown",
        swap(STATED, psm("baseAllineamento"), psm("Asse")),
        STATED,
        "exactly one basis",
    ),
    (
        "alignment-two-concepts",
        put(STATED, psm("concettoAllineato"), OP1),
        STATED,
        "exactly one aligned concept",
    ),
    (
        "interpretation-without-its-reading",
        drop(READING, SKOS.editorialNote),
        READING,
        "which reading of the source",
    ),
    (
        "derived-alignment-without-origin",
        drop(DERIVED, psm("derivatoDa")),
        DERIVED,
        "derived alignment without",
    ),
    (
        "derived-alignment-from-another-concept",
        swap(DERIVED, psm("concettoAllineato"), M1),
        DERIVED,
        "derived alignment without",
    ),
    (
        "derived-alignment-published-as-stated",
        put(ACTION, psm("missionePNRR"), URIRef(BASE + "pnrr/missione/M2")),
        DERIVED,
        "no short triple",
    ),
    ("catalog-without-licence", drop(CATALOG, DCTERMS.license), CATALOG, "one licence"),
    ("catalog-without-contact", drop(CATALOG, URIRef(DCAT + "contactPoint")), CATALOG, "contact point"),
    (
        "catalog-title-not-italian",
        swap(CATALOG, DCTERMS.title, Literal("Catalog", lang="en")),
        CATALOG,
        "Italian title",
    ),
    ("dataset-without-theme", drop(DATASET, URIRef(DCAT + "theme")), DATASET, "theme"),
    ("dataset-without-modified", drop(DATASET, DCTERMS.modified), DATASET, "modification date"),
    ("dataset-without-identifier", drop(DATASET, DCTERMS.identifier), DATASET, "identifier"),
]


class SharedBuild:
    """The plan built once; `broken()` lends it for changes and restores it after; `clean_report()`
    is its validation as built, run once for the tests that read it."""

    def __init__(self) -> None:
        self.built = fresh_build()
        self.quads = set(self.built.dataset.quads((None, None, None, None)))
        self._clean: Report | None = None

    def clean_report(self) -> Report:
        if self._clean is None:
            with self.broken() as clean:  # not broken: restored all the same, in case validate changed it
                self._clean = validate(clean)
        return self._clean

    @contextmanager
    def broken(self) -> Iterator[Built]:
        try:
            yield self.built
        finally:
            dataset = self.built.dataset
            now = set(dataset.quads((None, None, None, None)))
            for quad in now - self.quads:
                dataset.remove(quad)
            for quad in self.quads - now:
                dataset.add(quad)
            assert set(dataset.quads((None, None, None, None))) == self.quads, "the shared build not restored"


@pytest.fixture(scope="session")
def plan() -> SharedBuild:
    return SharedBuild()


def violations(built: Built) -> list[Finding]:
    return validate(built).violations


def test_clean_data_conforms_and_shows_count_conflicts_as_warnings(plan: SharedBuild) -> None:
    report = plan.clean_report()
    assert report.conforms, [f.message_en for f in report.violations]
    messages = [f.message_en for f in report.warnings]
    assert (
        "Piano Strategico Metropolitano 2021-2023: declared 28 strategies, 24 present in the data" in messages
    )
    assert "Asse 1: declared 28 actions, 0 present in the data" in messages
    assert not any("declared 24 strategies" in m for m in messages)  # agreeing counts stay quiet
    # the slide contradicts itself: its per-axis figures add up to 24 strategies and 110 actions
    title = "Piano Strategico Metropolitano 2021-2023"
    assert f"{title}: the source declares 28 strategies, but its per-axis counts add up to 24" in messages
    assert f"{title}: the source declares 111 actions, but its per-axis counts add up to 110" in messages
    assert sum("add up to" in m for m in messages) == 2  # sources without per-axis counts: no sum
    # on the plan's own counts, each on its own (sum_warnings below reads only those)
    assert {f.focus for f in report.warnings if "add up to" in f.message_en} == {str(c) for c in PLAN_COUNTS}


PLAN_COUNTS = (COUNT, URIRef(BASE + "psm/2021-2023/conteggio/piano-azioni-presentazione"))


def sum_warnings(built: Built) -> list[str]:
    """The warnings that a count of the plan disagrees with the sum of its axes' counts: they are on
    those counts (test_clean_data_...), so their findings are all of them, at the cost of two nodes."""
    found = [f for count in PLAN_COUNTS for f in findings_on(built, count)]
    return [f.message_en for f in found if not f.is_violation and "add up to" in f.message_en]


def test_plan_count_against_the_sum_of_axis_counts(plan: SharedBuild) -> None:
    actions = PLAN_COUNTS[1]
    with plan.broken() as agreeing:
        swap(actions, psm("valoreDichiarato"), Literal(110, datatype=XSD.nonNegativeInteger))(agreeing)
        assert not any("actions" in m for m in sum_warnings(agreeing))  # 110 = 28+28+18+12+15+9: quiet
    axis_2 = URIRef(BASE + "psm/2021-2023/conteggio/2-azioni-presentazione")
    with plan.broken() as changed:
        swap(axis_2, psm("valoreDichiarato"), Literal(30, datatype=XSD.nonNegativeInteger))(changed)
        assert any("111 actions, but its per-axis counts add up to 112" in m for m in sum_warnings(changed))
    with plan.broken() as partial:  # a source that counts only some axes gives no sum
        partial.dataset.remove((None, psm("conteggioDichiarato"), axis_2, None))
        partial.dataset.remove((axis_2, None, None, None))
        assert not any("actions" in m for m in sum_warnings(partial))


@pytest.mark.parametrize(("case", "breaks", "focus", "words"), CASES, ids=[c[0] for c in CASES])
def test_shape_rejects_broken_graph(
    plan: SharedBuild, case: str, breaks: Callable[[Built], None], focus: URIRef, words: str
) -> None:
    with plan.broken() as built:
        breaks(built)
        found = [f for f in findings_on(built, focus) if f.is_violation]
    assert found, f"{case}: no violation on {focus}"
    assert any(words in f.message_en for f in found), [f.message_en for f in found]


# one case for each way a shape reaches a node: sh:node and sh:class on a value, a qualified value
# shape on literals, a SPARQL constraint, a named property shape; and the clean data on its own
SAME = ["axis-mission-wrong-class", "plan-label-not-italian", "strategy-code-disagrees-with-axis",
        "count-without-source"]  # fmt: skip


@pytest.mark.parametrize("case", [None, *SAME], ids=["clean", *SAME])
def test_findings_on_one_node_are_the_whole_validations_on_it(plan: SharedBuild, case: str | None) -> None:
    _, breaks, focus, _ = next(c for c in CASES if c[0] == case) if case else (None, None, STATED, None)
    with plan.broken() as built:
        if breaks:
            breaks(built)
        report = validate(built) if breaks else plan.clean_report()
        foci = {focus, PLAN, AXIS1, ACTION, COUNT, M1} if case is None else {focus}
        for node in foci:
            whole = [f for f in report.findings if f.focus == str(node)]
            assert findings_on(built, node) == whole, node
            assert whole or case is None, f"{case}: nothing to compare"


def test_action_without_title_is_a_warning_not_a_violation(plan: SharedBuild) -> None:
    with plan.broken() as built:
        drop(ACTION, SKOS.prefLabel)(built)
        report = validate(built)
    assert report.conforms
    assert any(f.focus == str(ACTION) and "without a title" in f.message_en for f in report.warnings)


def test_violation_names_the_csv_file_row_and_column(plan: SharedBuild) -> None:
    with plan.broken() as built:
        swap(STRATEGY, SKOS.notation, Literal("3.1"))(built)  # in SAME: the whole validation's findings
        found = [f for f in findings_on(built, STRATEGY) if f.is_violation]
    origin = found[0].origin
    assert origin is not None
    assert (origin.file, origin.row) == ("data/psm-2021-2023/strategie.csv", 9)


def test_count_is_typed() -> None:
    built = fresh_build()  # a build of its own: it reads the tables as they are, never the shared one
    value = built.union().value(COUNT, psm("valoreDichiarato"))
    assert value == Literal(28, datatype=XSD.nonNegativeInteger)
    assert (COUNT, RDF.type, psm("ConteggioDichiarato")) in built.union()


@pytest.mark.parametrize("clause", ["MINUS { $this a ?c }", "SERVICE <http://x/> { $this ?p ?o }"])
def test_sparql_constraints_are_still_checked_each_time(clause: str) -> None:
    """validate.py remembers pyshacl's check of a SPARQL constraint's text: a refused text is refused
    every time (a refusal is not remembered as a pass), an accepted one keeps passing."""
    from pyshacl.errors import ValidationFailure
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    for _ in range(2):
        with pytest.raises(ValidationFailure):
            SPARQLQueryHelper.check_invalid_sparql(None, f"SELECT $this WHERE {{ {clause} }}")  # type: ignore[arg-type]
    accepted = "SELECT $this WHERE { $this a ?c }"
    assert SPARQLQueryHelper.check_invalid_sparql(None, accepted) is True  # type: ignore[arg-type]
    assert SPARQLQueryHelper.check_invalid_sparql(None, accepted) is True  # type: ignore[arg-type]


def test_pyshacl_sees_its_own_constraint_parameters() -> None:
    """validate.py hands pyshacl its list of constraint parameters as a `ConstraintParameters`, which
    answers `in` by hash: the same items in the same order, and the same answer as the list for each
    of them and for predicates that are not parameters."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    from psm_ld.build.validate import ConstraintParameters

    parameters, constraint_map = pyshacl.shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert isinstance(parameters, ConstraintParameters) and constraint_map is CONSTRAINT_PARAMETERS_MAP
    assert list(parameters) == ALL_CONSTRAINT_PARAMETERS
    others = [SKOS.prefLabel, RDF.type, URIRef(str(ALL_CONSTRAINT_PARAMETERS[0]) + "x"), Literal("x")]
    for predicate in [*ALL_CONSTRAINT_PARAMETERS, *others]:
        assert (predicate in parameters) == (predicate in ALL_CONSTRAINT_PARAMETERS), predicate
