// Swagger UI on /docs (web/apidocs.py): the description named by the page, every file from psm-ld.
// validatorUrl null: Swagger UI would otherwise send the description to a third-party validator.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
