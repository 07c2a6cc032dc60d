// The network view: fetches /api/network for the filters of the form and draws the answer with Cytoscape.js
// (static/vendor/cytoscape.min.js, bundled at build time); clicking a node opens its page. The nodes are also
// listed as links, for keyboards and screen readers, and when the graph cannot be drawn.
(function () {
  "use strict";

  const container = document.getElementById("network");
  const form = document.getElementById("network-filter");
  const status = document.getElementById("network-status");
  const list = document.getElementById("network-list");
  const jsonLink = document.getElementById("network-json");
  if (!container || !form) {
    return;
  }
  const CLASSES = ["organisation", "project", "research-base", "component", "focus-area", "place", "other"];
  let cy = null;
  let pending = null;

  function parameters() {
    const data = new FormData(form);
    const params = new URLSearchParams();
    params.set("iri", data.get("iri"));
    params.set("hops", data.get("hops") || "1");
    data.getAll("relation").forEach((key) => params.append("relation", key));
    return params;
  }

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue("--" + name).trim() || "#888";
  }

  function style() {
    const rules = [
      { selector: "node", style: {
        "background-color": colour("other"), label: "data(label)", "font-size": 9, color: "#1d2733",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 120,
        "min-zoomed-font-size": 7, width: 16, height: 16 } },
      { selector: "node[?start]", style: {
        width: 30, height: 30, "border-width": 3, "border-color": colour("start-border"), "font-size": 12,
        "font-weight": "bold", "min-zoomed-font-size": 0 } },
      { selector: "edge", style: {
        width: 1.2, "line-color": colour("edge"), "curve-style": "straight", "target-arrow-shape": "triangle",
        "target-arrow-color": colour("edge"), "arrow-scale": 0.6 } },
      { selector: "edge[relation = \"collaboratesWith\"]", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
      { selector: "edge[relation = \"leadOrganization\"]", style: { width: 2.4 } },
      { selector: "edge[relation = \"locatedIn\"]", style: { "line-style": "dashed" } },
      { selector: "node:active, node.hover", style: { "overlay-opacity": 0.15 } },
    ];
    CLASSES.forEach((name) => {
      rules.push({ selector: "node[class = \"" + name + "\"]", style: { "background-color": colour(name) } });
    });
    return rules;
  }

  function draw(elements) {
    elements.nodes.forEach((node) => { node.data.start = node.data.hop === 0; });
    if (cy === null) {
      cy = cytoscape({ container: container, elements: elements, style: style() });
      cy.on("tap", "node", (event) => { window.location.assign(event.target.data("url")); });
      cy.on("mouseover", "node", (event) => { event.target.addClass("hover"); container.style.cursor = "pointer"; });
      cy.on("mouseout", "node", (event) => { event.target.removeClass("hover"); container.style.cursor = ""; });
      window.innographNetwork = cy; // for the browser console and the browser tests
    } else {
      cy.elements().remove();
      cy.add(elements);
    }
    cy.layout({
      name: "concentric", concentric: (node) => 10 - node.data("hop"), levelWidth: () => 1,
      minNodeSpacing: 12, animate: false, fit: true, padding: 24,
    }).run();
  }

  function showList(nodes) {
    list.replaceChildren(...nodes.map((node) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = node.data.url;
      link.textContent = node.data.label;
      item.append(link);
      if (node.data.label_zh && node.data.label_zh !== node.data.label) {
        const zh = document.createElement("span");
        zh.lang = "zh";
        zh.textContent = " " + node.data.label_zh;
        item.append(zh);
      }
      const hop = document.createElement("span");
      hop.className = "hop";
      hop.textContent = " · " + node.data.class + " · " + node.data.hop + " hop" + (node.data.hop === 1 ? "" : "s");
      item.append(hop);
      return item;
    }));
  }

  function say(text, state, cut) {
    status.textContent = text;
    status.dataset.state = state;
    status.classList.toggle("cut", Boolean(cut));
  }

  async function load() {
    const params = parameters();
    history.replaceState(null, "", container.dataset.page + "?" + params.toString());
    const url = container.dataset.api + "?" + params.toString();
    jsonLink.href = url;
    say("Loading… 加载中…", "loading");
    const asked = pending = url;
    let answer;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      answer = await response.json();
      if (!response.ok) {
        throw new Error(answer.message || response.statusText);
      }
    } catch (problem) {
      if (asked === pending) {
        say("Could not load the network: " + problem.message, "error");
      }
      return;
    }
    if (asked !== pending) {
      return; // a later change of the filters has its own request
    }
    showList(answer.elements.nodes);
    let text = answer.node_count + " nodes, " + answer.edge_count + " links · " + answer.node_count + " 个节点，"
      + answer.edge_count + " 条关系";
    if (answer.cut) {
      text = "Only the " + answer.node_cap + " nearest nodes are shown (" + answer.edge_count + " links); choose fewer "
        + "relations or one hop to see all. 仅显示最近的 " + answer.node_cap + " 个节点。";
    }
    if (typeof cytoscape === "undefined") {
      say(text + " The graph cannot be drawn: the front-end packages are not built.", "ready", answer.cut);
      document.getElementById("network-list-box").open = true;
      return;
    }
    draw(answer.elements);
    say(text, "ready", answer.cut);
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "relation" && form.querySelectorAll("input[name=relation]:checked").length === 0) {
      event.target.checked = true; // at least one relation, or there is nothing to draw
      return;
    }
    load();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  document.getElementById("network-apply").hidden = true;
  load();
})();
