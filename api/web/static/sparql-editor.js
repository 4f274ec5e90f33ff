/* The query editor at /sparql: YASGUI (vendor/yasgui/, MIT) set up for this service.
 *
 * Its settings come from the page's JSON data block (#editor-config, written by
 * web/sparql.py): the endpoint (this service's /sparql), the project's prefixes and default
 * query, and the canned queries of the gallery. No inline script and no eval: the page runs
 * under `script-src 'self'`. Only this service is queried (`connect-src 'self'`), whatever a
 * shared link names as its endpoint. IRIs under the graph's base link to this service's own
 * pages (core/iris.py local_path: BASE + "x" is served at <root>/x).
 */
(function () {
  "use strict";
  var holder = document.getElementById("editor-config");
  var root = document.getElementById("yasgui");
  if (!holder || !root || typeof Yasgui === "undefined") return;
  var cfg = JSON.parse(holder.textContent);
  var endpoint = new URL(cfg.endpoint, window.location.href).href;

  /* The page path of an IRI this service serves, or null (the one mapping: core/iris.py). */
  function localHref(iri) {
    if (iri.indexOf(cfg.base) !== 0 || iri.length <= cfg.base.length) return null;
    return cfg.root + "/" + iri.slice(cfg.base.length);
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* The results table (sortable by any column: DataTables), with IRIs of the graph linked
   * to their pages here and other http(s) IRIs linked as they are. */
  var Table = Yasgui.Yasr.plugins.table;
  class LocalTable extends Table {
    getUriLinkFromBinding(binding, prefixes) {
      var iri = binding.value;
      var shown = iri;
      var prefixed = false;
      for (var p in prefixes || {}) {
        if (prefixes[p] && iri.indexOf(prefixes[p]) === 0) {
          shown = p + ":" + iri.slice(prefixes[p].length);
          prefixed = true;
          break;
        }
      }
      var local = localHref(iri);
      var label = escapeHtml(shown);
      var link;
      if (local !== null) {
        link = '<a class="iri" href="' + escapeHtml(local) + '">' + label + "</a>";
      } else if (/^https?:\/\//i.test(iri)) {
        link = '<a class="iri" href="' + escapeHtml(iri) + '" rel="noopener noreferrer">' + label + "</a>";
      } else {
        link = label;
      }
      return prefixed || this.persistentConfig.compact ? link : "&lt;" + link + "&gt;";
    }
  }
  Yasgui.Yasr.registerPlugin("table", LocalTable);

  /* Autocompletion from the query and the bundled prefix list only: the "property" and
   * "class" completers ask a remote service (Linked Open Vocabularies). */
  var completers = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.autocompleters = completers;
  Yasgui.defaults.yasqe.autocompleters = completers;

  var yasgui = new Yasgui(root, {
    persistenceId: "enlargement-kg",
    copyEndpointOnNewTab: false,
    tabName: "Query",
    requestConfig: {
      endpoint: endpoint,
      /* GET (cacheable) unless the query is long: then POST (SPARQL 1.1 Protocol 2.1.2).
       * YASGUI calls this with itself or with the editor. */
      method: function (owner) {
        var tab = owner && owner.getTab ? owner.getTab() : null;
        var editor = tab ? tab.getYasqe() : owner;
        var text = editor && editor.getValue ? editor.getValue() : "";
        return encodeURIComponent(text).length > 6000 ? "POST" : "GET";
      },
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    /* a shared link (?query=... or #query=...) runs here, against this service */
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = endpoint;
      return tab;
    },
    yasqe: { value: cfg.defaultQuery, editorHeight: "260px" },
    yasr: { prefixes: cfg.prefixes },
  });
  accessible(yasgui);
  Object.keys(yasgui._tabs).forEach(function (id) {
    var tab = yasgui._tabs[id];
    if (tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  });

  /* YASGUI's controls, labelled for assistive technology (axe-core: no serious or critical
   * violation): the add-tab button moves out of the tab list (a tablist holds tabs only),
   * and the editor's text area, the page-size select and the row-number header get names
   * whenever YASGUI draws them. */
  function accessible(gui) {
    var list = gui.tabElements._tabsListEl;
    var add = gui.tabElements.addTabEl;
    if (list && add && add.parentNode === list) {
      var row = document.createElement("div");
      row.className = "tabsRow";
      list.parentNode.insertBefore(row, list);
      row.appendChild(list);
      add.className = "tabsList"; /* YASGUI's styles of the button are under .tabsList */
      row.appendChild(add);
      gui.tabElements.addTabEl = undefined; /* new tabs go at the end of the list */
    }
    var names = [
      [".CodeMirror textarea", "SPARQL query (Ctrl+Enter runs it, Esc leaves the editor)"],
      ["select.tableSizer", "Results per page"],
      [".tab input[type=text]", "Tab name"],
    ];
    function label() {
      names.forEach(function (pair) {
        root.querySelectorAll(pair[0] + ":not([aria-label])").forEach(function (el) {
          el.setAttribute("aria-label", pair[1]);
        });
      });
      /* the editor's scrolling area: reachable by keyboard, to scroll a long query */
      root.querySelectorAll(".CodeMirror-scroll:not([aria-label])").forEach(function (el) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", "Query text, scrollable");
      });
      root.querySelectorAll("th.dt-orderable-none").forEach(function (th) {
        if (!th.textContent.trim()) {
          var span = document.createElement("span");
          span.className = "visually-hidden";
          span.textContent = "Row";
          th.appendChild(span);
        }
      });
    }
    label();
    new MutationObserver(label).observe(root, { childList: true, subtree: true });
  }

  /* The gallery: each canned query opens in a tab of its own (or its tab again) and runs. */
  var examples = cfg.examples || {};
  document.querySelectorAll("[data-example]").forEach(function (button) {
    var name = button.getAttribute("data-example");
    if (!(name in examples)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var tab = yasgui.addTab(
        true,
        { name: name, yasqe: { value: examples[name] }, requestConfig: { endpoint: endpoint } },
        { avoidDuplicateTabs: true }
      );
      root.scrollIntoView({ block: "start" });
      tab.query().catch(function () {});
    });
  });
})();
