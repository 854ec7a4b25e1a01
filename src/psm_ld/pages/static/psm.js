// psm-ld: progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // SPARQL page: choosing an example fills the query box
    var select = document.getElementById("example");
    var box = document.getElementById("query");
    if (select && box) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var text = option && option.getAttribute("data-query");
        if (text) {
          box.value = text;
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
