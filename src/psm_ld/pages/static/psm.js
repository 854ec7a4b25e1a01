// psm-ld: progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";

  // Suggestions as you type (ARIA 1.2 combobox with a listbox): the field's data-suggest URL answers
  // ?q=…&lang=… with [{label, code, kind, context, url}]; arrows choose, Enter opens, Escape closes.
  function suggestions(input) {
    var url = input.getAttribute("data-suggest");
    var lang = document.documentElement.lang || "it";
    var wrap = document.createElement("div");
    wrap.className = "suggest-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", lang === "en" ? "Suggestions" : "Suggerimenti");
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var options = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(n) {
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === n ? "true" : "false"); });
      active = n;
      if (n >= 0) {
        input.setAttribute("aria-activedescendant", options[n].id);
        options[n].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(found) {
      list.textContent = "";
      options = found.map(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-url", hit.url);
        var kind = document.createElement("span");
        kind.className = "s-kind";
        kind.textContent = hit.kind + (hit.context ? " · " + hit.context : "");
        li.appendChild(kind);
        li.appendChild(document.createTextNode((hit.code ? hit.code + " " : "") + hit.label));
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = hit.url;
        });
        list.appendChild(li);
        return li;
      });
      active = -1;
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
    }
    function ask() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++asked;
      fetch(url + "?" + new URLSearchParams({ q: q, lang: lang }), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (mine === asked) { show(found); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        choose((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        choose(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = options[active].getAttribute("data-url");
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), suggestions);
    // SPARQL page: choosing an example fills the query box
    var select = document.getElementById("example");
    var box = document.getElementById("query");
    if (select && box) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var text = option && option.getAttribute("data-query");
        if (text) {
          box.value = text;
          box.dispatchEvent(new Event("input")); // the SPARQL editor, when there is one, follows
          box.focus();
        }
      });
    }
    // Ctrl/Cmd+Enter runs the query
    if (box && box.form) {
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          box.form.submit();
        }
      });
    }
  });
})();
