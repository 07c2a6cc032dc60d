// The SPARQL editor: YASGUI (static/vendor/yasgui.min.js, bundled at build time) against this server's /sparql,
// with the query library's queries as examples that open in new tabs. Nothing is fetched from another host:
// the prefix list is the bundled one (prefixCcApi stays unset) and the class and property autocompleters,
// which ask Linked Open Vocabularies, are left out.
(function () {
  "use strict";

  const element = document.getElementById("yasgui");
  if (!element || typeof Yasgui === "undefined") {
    return;
  }
  const endpoint = new URL(element.dataset.endpoint, window.location.href).href;
  const FIRST_QUERY = [
    "PREFIX ig: <https://w3id.org/innograph/def/>",
    "",
    "# How many things of each class of the innograph ontology",
    "SELECT ?class (COUNT(DISTINCT ?thing) AS ?things) WHERE {",
    "  ?thing a ?class .",
    "  FILTER(STRSTARTS(STR(?class), STR(ig:)))",
    "}",
    "GROUP BY ?class",
    "ORDER BY DESC(?things)",
    "",
  ].join("\n");

  // Yasqe merges its defaults into every editor's configuration, arrays included, so the autocompleters are
  // chosen on the defaults themselves: prefixes (bundled list) and variables only.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.value = FIRST_QUERY;

  const yasgui = new Yasgui(element, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    copyEndpointOnNewTab: false,
    persistenceId: "innograph-query-editor",
    tabName: "Query",
  });

  document.querySelectorAll("#examples button.example").forEach((button) => {
    button.addEventListener("click", () => {
      yasgui.addTab(true, {
        name: button.dataset.title,
        yasqe: { value: button.dataset.sparql },
        requestConfig: { endpoint: endpoint },
      });
    });
  });
})();
