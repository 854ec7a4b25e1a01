"""The message catalogue: every interface text in Italian and English, as data (pages/i18n.py
reads it). Keys are grouped by the page or part that uses them (`nav.`, `plan.`, `search.` …).
"""

from __future__ import annotations

# key → (Italian, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "site.title_suffix": ("PSM Torino linked data", "PSM Turin linked data"),
    "site.description": (
        "Piano Strategico Metropolitano della Città metropolitana di Torino come linked data",
        "The Metropolitan Strategic Plan of the Metropolitan City of Turin as linked data",
    ),
    "site.skip": ("Vai al contenuto", "Skip to content"),
    "site.brand": ("Piano Strategico Metropolitano", "Metropolitan Strategic Plan"),
    "site.brand_sub": ("Torino · linked data", "Turin · linked data"),
    "nav.label": ("Sezioni del sito", "Site sections"),
    "nav.plan": ("Piano", "Plan"),
    "nav.search": ("Cerca", "Search"),
    "nav.queries": ("Query", "Queries"),
    "nav.ontology": ("Ontologia", "Ontology"),
    "nav.data": ("Dati", "Data"),
    "lang.label": ("Lingua", "Language"),
    "crumbs.label": ("Percorso", "Breadcrumbs"),
    "crumbs.home": ("Home", "Home"),
    "footer.as_data": ("Questa pagina come dati:", "This page as data:"),
    "footer.fallback": (
        "I testi presenti nei dati solo in italiano sono mostrati in italiano.",
        "Where the data has no English text, the Italian one is shown, marked «it».",
    ),
    "footer.about": (
        "Il Piano Strategico Metropolitano della Città metropolitana di Torino come linked data, "
        "pubblicato da psm-ld: ogni affermazione ha la sua fonte.",
        "The Metropolitan Strategic Plan of the Metropolitan City of Turin as linked data, published "
        "by psm-ld: every statement has its source.",
    ),
    "footer.shapes": ("Forme SHACL", "SHACL shapes"),
    "footer.catalog": ("Catalogo DCAT", "DCAT catalog"),
    "sources.heading": ("Fonti", "Sources"),
    # search
    "search.title": ("Ricerca", "Search"),
    "search.label": (
        "Cerca assi, strategie, azioni, missioni, obiettivi…",
        "Search axes, strategies, actions, missions, objectives…",
    ),
    "search.placeholder": ("es. verde, parchi, Gran Bosco, M2", "e.g. verde, parchi, Gran Bosco, M2"),
    "search.quick_label": ("Cerca nel piano", "Search the plan"),
    "search.quick_placeholder": ("Cerca…", "Search…"),
    "search.button": ("Cerca", "Search"),
    "search.none": (
        "Nessun risultato. La ricerca ignora maiuscole e accenti («citta» trova «Città») e vuole tutte "
        "le parole, nei titoli, nelle descrizioni, nelle altre denominazioni e nei codici. Prova con "
        "meno parole o con un codice:",
        "No results. Search ignores case and accents («citta» finds «Città») and wants every word, in "
        "titles, descriptions, other names and codes. Try fewer words or a code:",
    ),
    "search.explore": ("esplora il piano", "explore the plan"),
    "search.intro": (
        "Cerca tra i titoli, le descrizioni, le altre denominazioni e i codici di assi, strategie, "
        "azioni, missioni PNRR, obiettivi di coesione, programmi europei, fonti e termini "
        "dell'ontologia. Maiuscole e accenti non contano.",
        "Search the titles, descriptions, other names and codes of axes, strategies, actions, PNRR "
        "missions, cohesion objectives, EU programmes, sources and ontology terms. Case and accents "
        "do not matter. The plan's texts are mostly in Italian.",
    ),
    "search.field.etichetta": ("etichetta", "label"),
    "search.field.altra denominazione": ("altra denominazione", "other name"),
    "search.field.codice": ("codice", "code"),
    "search.field.titolo": ("titolo", "title"),
    "search.field.identificativo": ("identificativo", "identifier"),
    "search.field.descrizione": ("descrizione", "description"),
    "search.field.definizione": ("definizione", "definition"),
    "search.suggestions": ("Suggerimenti", "Suggestions"),
    # home and plan
    "home.eyebrow": ("Città metropolitana di Torino", "Metropolitan City of Turin"),
    "home.full_plan": ("Scheda completa del piano →", "The whole plan →"),
    "home.other_editions": ("Altre edizioni:", "Other editions:"),
    "home.figures": ("Il piano in numeri", "The plan in figures"),
    "home.figures_intro": (
        "Quanti assi, strategie e azioni sono nei dati, e quanti ne dichiara ogni fonte. Dove le fonti "
        "non concordano o i dati sono incompleti, lo diciamo.",
        "How many axes, strategies and actions the data holds, and how many each source declares. "
        "Where sources disagree or the data is incomplete, we say so.",
    ),
    "home.matrix": ("Allineamenti: assi × PNRR × coesione", "Alignments: axes × PNRR × cohesion"),
    "home.matrix_intro": (
        "Le due tabelle della presentazione del piano: ogni asse corrisponde a una missione del PNRR e "
        "a un obiettivo della politica di coesione 2021-2027.",
        "The two tables of the plan's presentation: each axis matches a PNRR mission and a 2021-2027 "
        "cohesion policy objective.",
    ),
    "home.plan_wide": (
        "Strumenti e obiettivi dell'intero piano",
        "Instruments and objectives of the whole plan",
    ),
    "home.no_plan": ("Nessun piano nella release servita.", "No plan in the release being served."),
    "home.open_data": ("Dati aperti", "Open data"),
    "home.sparql_card": (
        "Interroga tutti i dati con SPARQL 1.1: editor con esempi e risultati in tabella, JSON, XML, "
        "CSV, TSV.",
        "Query all the data with SPARQL 1.1: an editor with examples, results as a table, JSON, XML, "
        "CSV, TSV.",
    ),
    "home.vocabularies": ("Ontologia e vocabolari", "Ontology and vocabularies"),
    "home.ontology": ("Ontologia psm:", "The psm: ontology"),
    "home.shapes": ("forme SHACL", "SHACL shapes"),
    "home.download": ("Scarica", "Download"),
    "home.catalog": ("Catalogo DCAT-AP_IT", "DCAT-AP_IT catalog"),
    "plan.crumb": ("Piano {code}", "Plan {code}"),
    "plan.legal_basis": ("Base giuridica", "Legal basis"),
    "plan.period": ("Periodo", "Period"),
    "plan.accepted": ("Approvato", "Approved"),
    "plan.issued": ("Presentato", "Presented"),
    "plan.axes_strategies": ("Assi e strategie", "Axes and strategies"),
    "plan.plan_wide": ("Dichiarati per l'intero piano", "Stated for the whole plan"),
    "plan.none": ("Nessuno.", "None."),
    "level.Asse": ("Asse", "Axis"),
    "level.Azione": ("Azione", "Action"),
    # counts
    "counts.heading": ("Conteggi: dichiarati e presenti", "Counts: declared and present"),
    "counts.axis_sum": ("la stessa fonte, asse per asse, ne conta", "the same source, axis by axis, counts"),
    "counts.sum_differs": ("somma ≠ {value}", "sum ≠ {value}"),
    "counts.none_declared": ("nessuna fonte dichiara un numero", "no source declares a number"),
    "counts.no_source": ("da una fonte non indicata", "by an unnamed source"),
    # members
    "member.no_title": (
        "{level} {code}: titolo non presente nei dati",
        "{level} {code}: no title in the data",
    ),
    "member.also": ("Anche:", "Also:"),
    "member.source": ("fonte:", "source:"),
    "member.no_description": ("Descrizione non presente nei dati.", "No description in the data."),
    "member.children_Strategia": ("Strategie", "Strategies"),
    "member.children_Azione": ("Azioni", "Actions"),
    "member.in_data": ("{n} nei dati", "{n} in the data"),
    "member.untitled": ("titolo non presente", "no title"),
    "member.no_children_Strategia": (
        "Nessuna strategia di questo asse è ancora nei dati.",
        "No strategy of this axis is in the data yet.",
    ),
    "member.no_children_Azione": (
        "Nessuna azione di questa strategia è ancora nei dati.",
        "No action of this strategy is in the data yet.",
    ),
    # alignments
    "align.heading": ("Allineamenti", "Alignments"),
    "align.stated_heading": ("Dichiarati dalle fonti", "Stated by the sources"),
    "align.derived_heading": ("Ricavati dai livelli superiori", "Derived from the levels above"),
    "align.derived_intro": (
        "Valgono per regola (l'elemento appartiene a un asse o al piano che li dichiara), non perché una "
        "fonte li indichi per questo elemento.",
        "They hold by rule (the element belongs to an axis or plan that states them), not because a "
        "source gives them for this element.",
    ),
    "align.none_stated": (
        "Nessuna fonte indica allineamenti per questo elemento.",
        "No source gives alignments for this element.",
    ),
    "align.stated": ("dichiarato", "stated"),
    "align.stated_title": ("indicato da una fonte", "given by a source"),
    "align.from_plan": ("dal piano (trasversale)", "from the plan (cross-cutting)"),
    "align.plan_title": ("vale per tutto il piano", "holds for the whole plan"),
    "align.derived_title": ("ricavato per regola, non da una fonte", "derived by rule, not from a source"),
    "align.derived_from_asse": ("ricavato dall'asse", "derived from axis"),
    "align.derived_from_strategia": ("ricavato dalla strategia", "derived from strategy"),
    "align.derived_from_componente": ("ricavato dalla componente", "derived from component"),
    # matrix
    "matrix.caption": (
        "Assi del PSM × missioni PNRR × obiettivi della politica di coesione 2021-2027 (✓ indicato "
        "dalla presentazione del piano; ◦ trasversale: vale per l'intero piano)",
        "PSM axes × PNRR missions × 2021-2027 cohesion policy objectives (✓ given by the plan's "
        "presentation; ◦ cross-cutting: holds for the whole plan)",
    ),
    "matrix.missions": ("Missioni PNRR", "PNRR missions"),
    "matrix.objectives": ("Obiettivi di coesione", "Cohesion objectives"),
    "matrix.objectives_long": ("Obiettivi di coesione 2021-2027", "Cohesion objectives 2021-2027"),
    "matrix.whole_plan": ("Intero piano (trasversale)", "Whole plan (cross-cutting)"),
    "matrix.yes": ("sì", "yes"),
    "matrix.no": ("no", "no"),
    "matrix.cross": ("trasversale", "cross-cutting"),
    "matrix.cross_title": ("trasversale: vale per l'intero piano", "cross-cutting: holds for the whole plan"),
    # concepts and vocabularies
    "concept.scheme": ("Vocabolario", "Vocabulary"),
    "concept.broader": ("Più generale", "Broader"),
    "concept.matches": ("Corrispondenze", "Matches"),
    "concept.narrower": ("Articolazione", "Narrower concepts"),
    "concept.in_plan": ("Nel piano", "In the plan"),
    "concept.stated_as": ("dichiarato: {property}", "stated: {property}"),
    "concept.via": ("tramite", "via"),
    "concept.none_aligned": (
        "Nessun elemento del piano è allineato a questo concetto.",
        "No element of the plan is aligned to this concept.",
    ),
    "concept.derived_heading": ("Ricavati per regola ({n})", "Derived by rule ({n})"),
    "concept.derived_intro": (
        "Strategie e azioni che appartengono a un elemento allineato: l'allineamento vale per regola, "
        "non per fonte.",
        "Strategies and actions that belong to an aligned element: the alignment holds by rule, not "
        "by a source.",
    ),
    "concept.from": ("da", "from"),
    "scheme.toc": ("In questa pagina", "On this page"),
    "scheme.tree": ("Gerarchia", "Hierarchy"),
    "scheme.az": ("Dalla A alla Z", "A to Z"),
    "scheme.letters": ("Iniziali", "Initials"),
    "scheme.counts": ("Nel piano, per concetto", "In the plan, by concept"),
    "scheme.counts_intro": (
        "Quanti assi, strategie e azioni di ogni edizione sono allineati a ciascun concetto (dichiarati "
        "da una fonte, per il concetto o uno più specifico, o ricavati per regola dal livello "
        "superiore); ogni numero porta all'elenco.",
        "How many axes, strategies and actions of each edition are aligned to each concept (stated by "
        "a source, for the concept or a narrower one, or derived by rule from the level above); each "
        "number leads to the list.",
    ),
    "scheme.concept": ("Concetto", "Concept"),
    "scheme.edition": ("PSM {code}", "PSM {code}"),
    # ontology, shapes, sources, generic
    "ontology.version": ("versione {version}", "version {version}"),
    "ontology.prefix": ("Prefisso", "Prefix"),
    "ontology.license": ("Licenza", "Licence"),
    "ontology.index": ("Indice", "Contents"),
    "ontology.classes": ("Classi", "Classes"),
    "ontology.properties": ("Proprietà", "Properties"),
    "ontology.instances": ("Istanze nei dati", "Instances in the data"),
    "ontology.subclass_of": ("sottoclasse di", "subclass of"),
    "ontology.subproperty_of": ("sottoproprietà di", "subproperty of"),
    "ontology.domain": ("dominio", "domain"),
    "ontology.range": ("codominio", "range"),
    "shapes.intro": (
        "Le regole con cui ogni release viene validata prima di essere pubblicata.",
        "The rules every release is validated against before it is published.",
    ),
    "shapes.index": ("Indice delle forme", "Shapes"),
    "source.crumb": ("Fonte {identifier}", "Source {identifier}"),
    "source.publisher": ("Editore", "Publisher"),
    "source.date": ("Data", "Date"),
    "source.note": ("Nota", "Note"),
    "source.cited_by": ("Citata da", "Cited by"),
    "generic.no_properties": (
        "Nessuna proprietà: questa risorsa compare solo come valore.",
        "No properties: this resource only appears as a value.",
    ),
    "generic.incoming": ("Collegamenti entranti", "Incoming links"),
    # queries and SPARQL
    "queries.heading": ("Query pronte", "Named queries"),
    "queries.intro": (
        "Domande frequenti sui dati, con parametri. Ogni risultato è disponibile in HTML, JSON, XML, "
        "CSV e TSV.",
        "Frequent questions about the data, with parameters. Every result comes as HTML, JSON, XML, "
        "CSV and TSV.",
    ),
    "queries.params": ("Parametri:", "Parameters:"),
    "query.run": ("Esegui", "Run"),
    "query.error": ("Errore", "Error"),
    "query.text": ("Testo SPARQL", "SPARQL text"),
    "query.open_editor": ("Apri nell'editor SPARQL", "Open in the SPARQL editor"),
    "query.empty": (
        "La query non ha trovato nulla con questi valori: {values}. Controlla i codici (sono quelli "
        "dei dati, es. «2021-2023», «M2») o prova i valori predefiniti.",
        "The query found nothing with these values: {values}. Check the codes (they are the data's, "
        "e.g. «2021-2023», «M2») or try the defaults.",
    ),
    "query.empty_no_params": (
        "La query non ha trovato nulla: nei dati non c'è ciò che cerca.",
        "The query found nothing: the data holds nothing it looks for.",
    ),
    "results.heading": ("Risultati", "Results"),
    "results.truncated": ("(troncati al limite del server)", "(cut at the server's limit)"),
    "results.region": ("Risultati", "Results"),
    "results.formats": ("Stessi risultati come:", "The same results as:"),
    "sparql.heading": ("Interroga i dati con SPARQL", "Query the data with SPARQL"),
    "sparql.intro_endpoint": ("Endpoint SPARQL 1.1 in sola lettura:", "Read-only SPARQL 1.1 endpoint:"),
    "sparql.intro_graph": (
        "Il grafo predefinito è l'unione di tutti i grafi; il prefisso",
        "The default graph is the union of all graphs; the prefix",
    ),
    "sparql.examples": ("Esempi", "Examples"),
    "sparql.choose": ("— scegli una query d'esempio —", "— choose an example query —"),
    "sparql.query": ("Query", "Query"),
    "sparql.run": ("Esegui", "Run"),
    "sparql.kbd": ("Ctrl+Invio", "Ctrl+Enter"),
    "sparql.error": ("La query non è andata a buon fine", "The query failed"),
    "sparql.examples_heading": ("Query d'esempio", "Example queries"),
    "sparql.with_params": ("con parametri", "with parameters"),
    "sparql.help": (
        "Ctrl+Spazio completa parole chiave, variabili, prefissi (psm:…), classi, proprietà e risorse del "
        "piano per nome; Ctrl+Invio esegue; Tab esce dall'editor.",
        "Ctrl+Space completes keywords, variables, prefixes (psm:…), classes, properties and plan "
        "resources by name; Ctrl+Enter runs the query; Tab leaves the editor.",
    ),
    "sparql.format": ("Risultati come", "Results as"),
    "sparql.format_table": ("tabella in questa pagina", "table on this page"),
    "results.download": ("Scarica i risultati:", "Download the results:"),
    "notfound.title": ("Pagina non trovata", "Page not found"),
    "notfound.nothing_at": (
        "Non c'è nulla a questo indirizzo in questa release dei dati:",
        "Nothing is published at this address in the current release:",
    ),
    "notfound.plan": ("Il piano in sintesi", "The plan at a glance"),
    # what the sources do not say (issue 11: shown, never guessed)
    "unknown": ("non indicato dalle fonti", "not stated by the sources"),
    # the basis of an alignment (ontology: psm:BaseAllineamento)
    "basis.heading.dichiarato": ("Dichiarati da una fonte", "Stated by a source"),
    "basis.heading.interpretazione": (
        "Interpretazioni dell'impaginazione di una fonte",
        "Interpretations of a source's layout",
    ),
    "basis.heading.derivato": (
        "Derivati per regola dal livello superiore",
        "Derived by rule from a higher level",
    ),
    "basis.intro.interpretazione": (
        "Nessuna fonte lo dice in parole: è una lettura dell'ordine o dell'impaginazione della fonte, "
        "plausibile ma non confermata; la nota dice quale.",
        "No source says it in words: it is a reading of the source's order or layout, plausible but "
        "not confirmed; the note says which reading.",
    ),
    "basis.intro.derivato": (
        "Nessuna fonte lo afferma per questo elemento: strategie e azioni di un asse ne condividono, per "
        "regola, la missione PNRR e l'obiettivo di coesione.",
        "No source states it for this element: an axis's strategies and actions share, by rule, its "
        "PNRR mission and cohesion objective.",
    ),
    "basis.title.dichiarato": ("la fonte lo afferma", "the source states it"),
    "basis.title.interpretazione": (
        "lettura dell'impaginazione di una fonte: plausibile, non confermata",
        "a reading of a source's layout: plausible, not confirmed",
    ),
    "basis.title.derivato": (
        "nessuna fonte lo afferma per questo elemento: discende dal suo asse",
        "no source states it for this element: it follows from its axis",
    ),
    "basis.mark.dichiarato": ("dichiarato da una fonte", "stated by a source"),
    "basis.mark.interpretazione": (
        "interpretazione dell'impaginazione di una fonte",
        "interpretation of a source's layout",
    ),
    "basis.mark.derivato": (
        "derivato per regola dal livello superiore",
        "derived by rule from a higher level",
    ),
    "basis.word.dichiarato": ("dichiarato", "stated"),
    "basis.word.interpretazione": ("interpretazione", "interpretation"),
    "basis.word.derivato": ("derivato per regola", "derived by rule"),
    "align.by_rule_from": ("per regola, da", "by rule, from"),
    "align.itself": ("dove è a sua volta «{basis}»", "where it is itself «{basis}»"),
    "align.source": ("fonte:", "source:"),
    "align.none": (
        "Nessun allineamento per questo elemento: non indicato dalle fonti.",
        "No alignment for this element: not stated by the sources.",
    ),
    "align.plan_own": (
        "Le fonti indicano anche allineamenti dell'intero piano (strumenti di finanziamento, obiettivi): "
        "sono del piano, non di questo elemento; si leggono sulla",
        "The sources also give alignments of the whole plan (funding instruments, objectives): they "
        "are the plan's, not this element's; see the",
    ),
    "align.plan_page": ("pagina del piano {code}", "page of plan {code}"),
    "align.intro": (
        "Ogni allineamento con la sua base: dichiarato da una fonte, interpretazione dell'impaginazione "
        "di una fonte, derivato per regola dal livello superiore. Una cella vuota: non indicato dalle "
        "fonti. Fonti e note sotto la tabella.",
        "Each alignment with its basis: stated by a source, interpretation of a source's layout, "
        "derived by rule from a higher level. An empty cell: not stated by the sources. Sources and "
        "notes under the table.",
    ),
    "align.derived_more": (
        "Inoltre {n} allineamenti derivati per regola su strategie e azioni (ciascuno sulla pagina del "
        "suo elemento).",
        "Also {n} alignments derived by rule on strategies and actions (each on its element's page).",
    ),
    "concept.none_aligned_sources": (
        "Nessun elemento del piano è allineato a questo concetto secondo le fonti.",
        "No element of the plan is aligned to this concept according to the sources.",
    ),
    "matrix.caption_graded": (
        "Elementi del piano × missioni PNRR × obiettivi della politica di coesione 2021-2027.",
        "Plan elements × PNRR missions × 2021-2027 cohesion policy objectives.",
    ),
    "matrix.plan_row": ("Intero piano", "Whole plan"),
    "matrix.unstated": (
        "{group}: non indicati dalle fonti per nessun asse di questa edizione.",
        "{group}: not stated by the sources for any axis of this edition.",
    ),
    # counts
    "counts.reason": (
        "Perché ne mancano: gli elenchi completi delle azioni sono nelle schede per asse del piano, non "
        "ancora trascritte nei dati.",
        "Why some are missing: the full lists of actions are in the plan's per-axis documents, not yet "
        "transcribed into the data.",
    ),
    "counts.or": ("o", "or"),
    "counts.by_axis": ("Per asse", "By axis"),
    "counts.axis_table": (
        "Strategie e azioni per asse: presenti nei dati e dichiarate dalle fonti",
        "Strategies and actions by axis: in the data and declared by the sources",
    ),
    "counts.col_axis": ("Asse", "Axis"),
    "counts.col_in_data": ("{what} nei dati", "{what} in the data"),
    "counts.source_axis_sum": ("«{source}», asse per asse, ne conta", "«{source}», axis by axis, counts"),
    # the series of editions
    "status.in-vigore": ("in vigore", "in force"),
    "status.conclusa": ("conclusa", "ended"),
    "status.futura": ("non ancora in vigore", "not yet in force"),
    "status.": ("non indicato dalle fonti", "not stated by the sources"),
    "status.as_of": (
        "stato nel {year}, dagli anni di inizio e fine dell'edizione",
        "status in {year}, from the edition's start and end years",
    ),
    "series.eyebrow": (
        "Città metropolitana di Torino · linked data",
        "Metropolitan City of Turin · linked data",
    ),
    "series.lead": (
        "Il piano della Città metropolitana di Torino esce per edizioni triennali. Qui ogni edizione con "
        "il suo stato, i suoi conteggi e ciò che le fonti dicono; ogni affermazione ha la sua fonte, e "
        "ciò che non sappiamo è detto.",
        "The Metropolitan City of Turin's plan comes in three-year editions. Here each edition with its "
        "status, its counts and what the sources say; every statement has its source, and what we do "
        "not know is said.",
    ),
    "series.editions": ("Le edizioni", "Editions"),
    "series.period": ("Periodo", "Period"),
    "series.approved": ("Approvato", "Approved"),
    "series.presented": ("presentato", "presented"),
    "series.titles": ("Titoli delle azioni", "Action titles"),
    "series.titles_of": ("{titled} su {n} nei dati", "{titled} of {n} in the data"),
    "series.titles_rest": (
        "(per le altre le fonti lette danno solo la descrizione)",
        "(for the others the sources read give only the description)",
    ),
    "series.no_actions": ("nessuna azione nei dati", "no action in the data"),
    "series.alignments": (
        "Allineamenti: {stated} dichiarati da una fonte, {interpreted} interpretazioni, {derived} derivati "
        "per regola",
        "Alignments: {stated} stated by a source, {interpreted} interpretations, {derived} derived by rule",
    ),
    "series.browse": (
        "Sfoglia l'edizione {code}: assi, strategie, azioni, allineamenti →",
        "Browse edition {code}: axes, strategies, actions, alignments →",
    ),
    "series.compare": ("Le edizioni a confronto", "Editions side by side"),
    "series.compare_caption": (
        "Assi, strategie e azioni: presenti nei dati e dichiarati dalle fonti, per edizione",
        "Axes, strategies and actions: in the data and declared by the sources, by edition",
    ),
    "series.col_edition": ("Edizione", "Edition"),
    "series.col_status": ("Stato", "Status"),
    "series.reason": (
        "Perché le azioni nei dati sono meno di quelle dichiarate: gli elenchi completi sono nelle schede "
        "per asse del piano, non ancora trascritte. Ogni azione trascritta ha il suo indirizzo; quelle "
        "dichiarate e non ancora nei dati rispondono 404 e spiegano come aggiungerle.",
        "Why the data holds fewer actions than declared: the full lists are in the plan's per-axis "
        "documents, not yet transcribed. Every transcribed action has its address; those declared but "
        "not yet in the data answer 404 and explain how to add them.",
    ),
    "series.in_force": ("In vigore: {title}", "In force: {title}"),
    "series.newest": ("Edizione più recente: {title}", "Newest edition: {title}"),
    "series.matrix": (
        "Allineamenti {code}: assi × PNRR × coesione",
        "Alignments {code}: axes × PNRR × cohesion",
    ),
    "plan.axes_actions": ("Assi, strategie e azioni", "Axes, strategies and actions"),
    "plan.untitled_action": ("titolo non indicato dalle fonti", "title not stated by the sources"),
    # charts (pages/charts.py)
    "chart.in_data": ("nei dati", "in the data"),
    "chart.declared": ("dichiarati da una fonte", "declared by a source"),
    "chart.other_declared": ("altro numero dichiarato", "another declared number"),
    "chart.declared_n": ("numero dichiarato: {n}", "declared number: {n}"),
    "chart.other_declared_n": ("altro numero dichiarato: {n}", "another declared number: {n}"),
    "chart.in_data_n": ("nei dati: {n}", "in the data: {n}"),
    "chart.of": ("{present} di {declared} {participle}", "{present} of {declared} {participle}"),
    "chart.or_declared": ("{present} · {participle} {values}", "{present} · {participle} {values}"),
    "chart.unknown_declared": (
        "{present} · {participle}: non indicato dalle fonti",
        "{present} · {participle}: not stated by the sources",
    ),
    "chart.scales": ("Ogni gruppo ha la sua scala.", "Each group has its own scale."),
    "chart.others_unknown": (
        "Le altre celle: non indicato dalle fonti.",
        "Other cells: not stated by the sources.",
    ),
    "chart.axis": ("Asse {code}", "Axis {code}"),
    "chart.counts_title": (
        "PSM {code}: strategie e azioni per asse, dichiarate e presenti nei dati",
        "PSM {code}: strategies and actions by axis, declared and in the data",
    ),
    "chart.matrix_title": (
        "PSM {code}: allineamenti degli assi a missioni PNRR e obiettivi di coesione, per base",
        "PSM {code}: alignments of the axes to PNRR missions and cohesion objectives, by basis",
    ),
    "chart.editions_title": (
        "Le edizioni del piano a confronto: assi, strategie e azioni, dichiarati e presenti",
        "The plan's editions side by side: axes, strategies and actions, declared and in the data",
    ),
    # a declared-but-missing action (kinds/missing.py)
    "missing.title": ("Azione {code} non ancora nei dati", "Action {code} not in the data yet"),
    "missing.heading": ("L'azione {code} non è ancora nei dati", "Action {code} is not in the data yet"),
    "missing.declared": ("Il piano dichiara {n} azioni per l'", "The plan declares {n} actions for "),
    "missing.axis": ("asse {code}", "axis {code}"),
    "missing.holds": ("i dati ne hanno {m}.", "the data holds {m}."),
    "missing.undeclared": (
        "Per l'{axis} il numero di azioni è non indicato dalle fonti; per l'intera edizione il piano ne "
        "dichiara {plan}.",
        "For {axis} the number of actions is not stated by the sources; for the whole edition the plan "
        "declares {plan}.",
    ),
    "missing.holds_axis": ("I dati ne hanno {m} per questo asse.", "The data holds {m} for this axis."),
    "missing.edition": (
        "In tutta l'edizione {edition} i dati hanno {m} azioni.",
        "In the whole edition {edition} the data holds {m} actions.",
    ),
    "missing.why": (
        "Perché: gli elenchi completi delle azioni sono nelle schede per asse del piano, non ancora "
        "trascritte nei dati. Finché non lo sono, questo indirizzo risponde 404: nulla viene inventato.",
        "Why: the full lists of actions are in the plan's per-axis documents, not yet transcribed into "
        "the data. Until they are, this address answers 404: nothing is made up.",
    ),
    "missing.present": ("Le azioni dell'asse {code} nei dati", "The actions of axis {code} in the data"),
    "missing.how": ("Come un ufficio di piano le aggiunge", "How a plan office adds them"),
    "missing.from_readme": (
        "Dal file data/README.md del progetto psm-ld, «Aggiungere le azioni di un asse» (in italiano, "
        "la lingua dei dati):",
        "From the psm-ld project's file data/README.md, «Aggiungere le azioni di un asse» (in Italian, "
        "the data's language):",
    ),
    "missing.readme": (
        "Il procedimento passo per passo è nel file data/README.md del progetto psm-ld, «Aggiungere le "
        "azioni di un asse».",
        "The step-by-step is in the psm-ld project's file data/README.md, «Aggiungere le azioni di un asse».",
    ),
}

# key → ((Italian singular, plural), (English singular, plural)); `{n}` is the number
PLURALS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "results.count": (("{n} risultato", "{n} risultati"), ("{n} result", "{n} results")),
    "search.count": (
        ("{n} risultato per «{q}»", "{n} risultati per «{q}»"),
        ("{n} result for «{q}»", "{n} results for «{q}»"),
    ),
    "counts.present_in_data": (("presente nei dati", "presenti nei dati"), ("in the data", "in the data")),
    "counts.present": (("{n} presente", "{n} presenti"), ("{n} present", "{n} present")),
    "home.axes": (("L'asse", "I {n} assi"), ("The axis", "The {n} axes")),
    "home.matrix_cross": (
        (
            "non corrisponde a un asse ma è trasversale all'intero piano.",
            "non corrispondono a un asse ma sono trasversali all'intero piano.",
        ),
        ("matches no axis but cuts across the whole plan.", "match no axis but cut across the whole plan."),
    ),
    "member.actions_in_data": (
        ("{n} azione nei dati", "{n} azioni nei dati"),
        ("{n} action in the data", "{n} actions in the data"),
    ),
    "scheme.concepts": (("{n} concetto", "{n} concetti"), ("{n} concept", "{n} concepts")),
    "shapes.count": (("{n} forma", "{n} forme"), ("{n} shape", "{n} shapes")),
}

# an ontology class (local name) → ((it singular, plural), (en singular, plural)); grammatical gender
# in Italian for the participle «dichiarato/a/i/e»
WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "PianoStrategico": (("piano", "piani"), ("plan", "plans")),
    "Asse": (("asse", "assi"), ("axis", "axes")),
    "Strategia": (("strategia", "strategie"), ("strategy", "strategies")),
    "Azione": (("azione", "azioni"), ("action", "actions")),
}
FEMININE = {"Strategia", "Azione"}
