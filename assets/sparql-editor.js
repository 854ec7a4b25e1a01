// psm-ld SPARQL editor: CodeMirror 6 over the /sparql form's textarea (progressive enhancement: without
// this script the page is the plain form, and works). `make assets` bundles it with esbuild into
// src/psm_ld/pages/static/vendor/sparql-editor.js; nothing is loaded from another host.
//
// What it adds: SPARQL highlighting (the legacy CodeMirror sparql mode), completion of keywords,
// variables, the project's prefixes (a PREFIX declaration added when a name needs one), classes,
// properties and plan resources by IRI, prefixed name or label, from /sparql/completions.json
// (pages/completions.py, one document per release); Ctrl/Cmd+Enter runs the query. The textarea stays
// the form's field: every change is copied into it, so submitting the form is what runs a query.
import { StyleModule } from "style-mod";
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, drawSelection, highlightActiveLine, highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
import {
  StreamLanguage, bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, pickedCompletion, startCompletion,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";

// ------------------------------------------------------------------ styles under the CSP
// CodeMirror mounts its styles with style-mod, which writes them into a <style> element when the root
// is a document: an inline style, which the site's Content-Security-Policy (style-src 'self', no
// 'unsafe-inline') blocks. A constructed stylesheet adopted by the document is CSSOM, which the policy
// does not govern: the same rules, in the same order (later modules take precedence), no policy change.
const originalMount = StyleModule.mount;
const sheet = typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in document ? new CSSStyleSheet() : null;
let mounted = [];
StyleModule.mount = function (root, modules, options) {
  if (root !== document || !sheet) return originalMount.call(StyleModule, root, modules, options);
  const list = Array.isArray(modules) ? modules : [modules];
  const next = [...mounted.filter((m) => !list.includes(m)), ...list];
  if (next.length !== mounted.length || next.some((m, i) => m !== mounted[i])) {
    mounted = next;
    sheet.replaceSync(mounted.map((m) => m.getRules()).join("\n"));
  }
  if (!document.adoptedStyleSheets.includes(sheet)) {
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
};

// ------------------------------------------------------------------ completion data
const KEYWORDS = [
  "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "GRAPH", "OPTIONAL", "FILTER",
  "UNION", "MINUS", "BIND", "VALUES", "DISTINCT", "REDUCED", "ORDER BY", "GROUP BY", "HAVING", "LIMIT",
  "OFFSET", "PREFIX", "BASE", "EXISTS", "NOT EXISTS", "AS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE",
  "GROUP_CONCAT", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "isIRI", "isLiteral",
  "REGEX", "CONTAINS", "STRSTARTS", "STRENDS", "LCASE", "UCASE", "CONCAT", "COALESCE", "IF", "ASC", "DESC",
];
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

function loader(url) {
  let promise = null;
  return () => {
    if (!promise) {
      promise = fetch(url, { headers: { accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url}: ${r.status}`))))
        .then((data) => {
          const english = document.documentElement.lang === "en";
          for (const t of data.terms) {
            t.folded = fold(`${t.label} ${t.label_en || ""} ${t.code}`);
            if (english && t.label_en) t.label = t.label_en; // shown in the page's language
          }
          return data;
        })
        .catch((error) => {
          promise = null; // asked again at the next completion
          console.warn("psm-ld: no completion data", error);
          return { prefixes: {}, terms: [] };
        });
    }
    return promise;
  };
}

// the prefixes declared in the query, and where a new declaration goes (after the last one)
function declarations(text) {
  const declared = {};
  let end = 0;
  for (const m of text.matchAll(/^[ \t]*(?:PREFIX[ \t]+([^\s:]*):[ \t]*<([^>]*)>|BASE[ \t]*<[^>]*>)[^\n]*\n?/gim)) {
    if (m[1] !== undefined) declared[m[1]] = m[2];
    end = m.index + m[0].length;
  }
  return { declared, end };
}

function prefixedName(data, text, iri) {
  const known = { ...data.prefixes, ...declarations(text).declared };
  for (const [prefix, namespace] of Object.entries(known)) {
    const local = iri.slice(namespace.length);
    if (iri.startsWith(namespace) && /^[A-Za-z0-9_]([\w.-]*[\w-])?$/.test(local)) return `${prefix}:${local}`;
  }
  return null;
}

// insert `text` over from..to, and the PREFIX declaration of `prefix` if the query lacks one
function withPrefix(data, prefix, text) {
  return (view, completion, from, to) => {
    const doc = view.state.doc.toString();
    const { declared, end } = declarations(doc);
    const changes = [{ from, to, insert: text }];
    let shift = 0;
    if (!(prefix in declared) && data.prefixes[prefix]) {
      const line = `PREFIX ${prefix}: <${data.prefixes[prefix]}>\n`;
      changes.push({ from: end, insert: line });
      if (end <= from) shift = line.length;
    }
    view.dispatch({
      changes,
      selection: { anchor: from + shift + text.length },
      annotations: pickedCompletion.of(completion),
      scrollIntoView: true,
    });
  };
}

const TYPE_OF = { class: "class", property: "property", resource: "constant" };

function termOption(term, label, apply) {
  const info = [term.type, term.iri].filter(Boolean).join(" · ");
  return { label, apply, detail: term.label || term.code, info, type: TYPE_OF[term.kind] };
}

// ------------------------------------------------------------------ completion sources
function sources(load) {
  // PREFIX xy|  →  the project's prefixes with their IRIs
  async function prefixDeclaration(context) {
    const match = context.matchBefore(/PREFIX[ \t]+[^\s:<]*$/i);
    if (!match) return null;
    const data = await load();
    const word = match.text.replace(/^PREFIX[ \t]+/i, "");
    return {
      from: match.to - word.length,
      options: Object.entries(data.prefixes).map(([p, iri]) => ({
        label: `${p}: <${iri}>`, type: "namespace", boost: p === "psm" ? 1 : 0,
      })),
    };
  }

  // psm:Az|  →  the terms in the prefix's namespace (the declaration added if missing)
  async function prefixedNames(context) {
    const match = context.matchBefore(/[A-Za-z][\w.-]*:[\w.-]*$/);
    if (!match || /<[^>\s]*$/.test(context.state.sliceDoc(0, match.from))) return null;
    const data = await load();
    const text = context.state.doc.toString();
    const prefix = match.text.slice(0, match.text.indexOf(":"));
    const namespace = declarations(text).declared[prefix] ?? data.prefixes[prefix];
    if (!namespace) return null;
    const options = [];
    for (const term of data.terms) {
      const local = term.iri.slice(namespace.length);
      if (!term.iri.startsWith(namespace) || !/^[A-Za-z0-9_]([\w.-]*[\w-])?$/.test(local)) continue;
      options.push(termOption(term, `${prefix}:${local}`, withPrefix(data, prefix, `${prefix}:${local}`)));
    }
    return { from: match.from, options, validFor: /^[A-Za-z][\w.-]*:[\w.-]*$/ };
  }

  // <…|  →  IRIs whose text or label holds what is typed
  async function iris(context) {
    const match = context.matchBefore(/<[^<>\s"{}|^`\\]*$/);
    if (!match) return null;
    const data = await load();
    const typed = match.text.slice(1);
    const folded = fold(typed);
    const hits = data.terms.filter((t) => t.iri.includes(typed) || (folded.length > 1 && t.folded.includes(folded)));
    hits.sort((a, b) => Number(!a.iri.startsWith(typed)) - Number(!b.iri.startsWith(typed)));
    const to = context.state.sliceDoc(context.pos, context.pos + 1) === ">" ? context.pos + 1 : context.pos;
    return {
      from: match.from,
      to,
      filter: false,
      options: hits.slice(0, 100).map((t) => termOption(t, `<${t.iri}>`)),
    };
  }

  // a word  →  keywords, prefixes (then their terms), and plan resources by label or code
  async function words(context) {
    const match = context.matchBefore(/[\p{L}\d_][\p{L}\d_.-]*$/u);
    if (!match && !context.explicit) return null;
    const from = match ? match.from : context.pos;
    const before = context.state.sliceDoc(Math.max(0, from - 1), from);
    if (/[?$:<"'@^\\]/.test(before)) return null;
    const data = await load();
    const typed = match ? match.text : "";
    const options = KEYWORDS.map((k) => ({ label: k, type: "keyword" }));
    for (const p of Object.keys(data.prefixes)) {
      options.push({
        label: `${p}:`, type: "namespace", detail: data.prefixes[p],
        apply: (view, completion, f, t) => {
          withPrefix(data, p, `${p}:`)(view, completion, f, t);
          startCompletion(view);
        },
      });
    }
    const keywordsAndPrefixes = { from, options, validFor: /^[\p{L}\d_]*$/u };
    const folded = fold(typed);
    if (folded.length < 3) return keywordsAndPrefixes;
    const text = context.state.doc.toString();
    const resources = data.terms
      .filter((t) => t.folded.includes(folded))
      .slice(0, 50)
      .map((t) => {
        const name = prefixedName(data, text, t.iri); // psm:dichiarato rather than its whole IRI
        const shown = t.code && !t.label.includes(t.code) ? `${t.code} ${t.label}` : t.label || t.code;
        const apply = name ? withPrefix(data, name.slice(0, name.indexOf(":")), name) : `<${t.iri}>`;
        return termOption(t, shown, apply);
      });
    return [keywordsAndPrefixes, { from, options: resources, filter: false }];
  }

  // ?va|  →  the variables of the query
  function variables(context) {
    const match = context.matchBefore(/[?$][\w]*$/);
    if (!match) return null;
    const names = new Set(context.state.doc.toString().match(/[?$][A-Za-z_][\w]*/g) || []);
    names.delete(match.text);
    return {
      from: match.from,
      options: [...names].map((n) => ({ label: `?${n.slice(1)}`, type: "variable" })),
      validFor: /^[?$]\w*$/,
    };
  }

  // a source may give two results (keywords, then resources unfiltered): CodeMirror takes one per source
  const first = (source) => async (context) => {
    const result = await source(context);
    return Array.isArray(result) ? result[0] : result;
  };
  const second = (source) => async (context) => {
    const result = await source(context);
    return Array.isArray(result) ? result[1] : null;
  };
  return [prefixDeclaration, prefixedNames, iris, first(words), second(words), variables];
}

// ------------------------------------------------------------------ the editor
function enhance() {
  const box = document.getElementById("query");
  const form = box && box.form;
  if (!form || !sheet) return; // a browser without constructable stylesheets keeps the plain form
  const label = document.getElementById("query-label");
  const help = document.getElementById("query-help");
  const run = (view) => {
    box.value = view.state.doc.toString();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
    return true;
  };
  const attributes = { "aria-labelledby": label ? label.id : "", spellcheck: "false", autocapitalize: "off" };
  if (help) attributes["aria-describedby"] = help.id;
  const view = new EditorView({
    doc: box.value,
    extensions: [
      lineNumbers(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      StreamLanguage.define(sparql),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      autocompletion({ override: sources(loader(form.dataset.completions)), icons: true }),
      Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
      keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of(attributes),
      EditorView.editorAttributes.of({ class: "sparql-editor" }), // CodeMirror owns its root's class list
      EditorState.tabSize.of(2),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) box.value = update.state.doc.toString();
      }),
    ],
  });
  box.after(view.dom);
  box.hidden = true;
  if (help) help.hidden = false;
  // the examples menu (psm.js) sets the textarea and says so with an input event
  box.addEventListener("input", () => {
    const doc = view.state.doc.toString();
    if (box.value !== doc) view.dispatch({ changes: { from: 0, to: doc.length, insert: box.value } });
    view.focus();
  });
  // the label still points at the textarea: clicking it goes to the editor
  if (label) label.addEventListener("click", (event) => {
    event.preventDefault();
    view.focus();
  });
  form.addEventListener("submit", () => {
    box.value = view.state.doc.toString();
  });
  document.documentElement.classList.add("has-sparql-editor");
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
else enhance();
