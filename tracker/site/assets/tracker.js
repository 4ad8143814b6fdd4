/* Smart City tracker: the one script of the scorecard. No network; the libraries are shipped with the site:
   Plotly (indicator pages) and lunr with the stemmers of the site's languages (all-indicators page).
   - draws every [data-chart] container from the inert JSON spec named by its data-chart attribute;
   - wires the series switch of a disaggregated chart;
   - filters the list of indicators (all-indicators page) with a lunr index of the embedded documents:
     words are stemmed in each language ("inquinamento" finds "inquinanti"), a word being typed matches
     as a prefix, and every word must match; without lunr, a plain match of the folded words.
   Everything it does is an enhancement: without it the tables and the full list are still there. */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  /* Folded words for lunr, on both sides of the search: no accents ("citta" finds "città"), elisions split
     ("dell'aria" is "dell" and "aria"). */
  function searchText(text) {
    return fold(String(text || "")).replace(/['’‘`´]/g, " ");
  }

  /* One lunr index per language, each with that language's stemmer and stop words (English is lunr's own,
     the others come from lunr-languages, loaded for the site's languages that have one), or null when the
     library did not load. A language without a stemmer (Catalan) is indexed by its folded words alone. */
  var FIELDS = {code: 6, name: 10, keywords: 8, definition: 2, goal: 1};
  var LUNR_NAMES = {nb: "no", nn: "no"};

  /* lunr-languages' plugin for ``language`` (null: English, or a language without a stemmer). */
  function plugin(language) {
    var lunr = window.lunr;
    var found = language === "en" ? null : lunr[LUNR_NAMES[language] || language];
    return found && found.stemmer ? found : null;
  }

  function buildSearch(documents) {
    var lunr = window.lunr;
    if (!lunr || !documents.length) { return null; }
    var indexes = {};
    Object.keys(documents[0].words).forEach(function (language) {
      var stemming = plugin(language);
      indexes[language] = lunr(function () {
        var builder = this;
        if (stemming) {
          builder.use(stemming);
        } else if (language !== "en") {
          builder.pipeline.reset();
          builder.searchPipeline.reset();
        }
        builder.ref("id");
        Object.keys(FIELDS).forEach(function (name) { builder.field(name, {boost: FIELDS[name]}); });
        documents.forEach(function (doc) {
          var folded = {id: doc.id, code: doc.code};
          Object.keys(doc.words[language]).forEach(function (name) {
            folded[name] = searchText(doc.words[language][name]);
          });
          builder.add(folded);
        });
      });
    });
    return indexes;
  }

  /* A stop word of any of the site's languages that has a list (English: lunr's; others: lunr-languages'). */
  function isStopWord(indexes, word) {
    var lunr = window.lunr;
    return Object.keys(indexes).some(function (language) {
      var stemming = plugin(language);
      var filter = language === "en" ? lunr.stopWordFilter : stemming && stemming.stopWordFilter;
      return filter ? filter(word) === undefined : false;
    });
  }

  /* The ids whose words in any language match ``word``: by its stem in that language, or as the beginning of
     a word while it is being typed. */
  function wordHits(indexes, word) {
    var lunr = window.lunr;
    var hits = {};
    Object.keys(indexes).forEach(function (language) {
      indexes[language].query(function (q) {
        q.term(word, {usePipeline: true});
        if (word.length >= 3) { q.term(word, {usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING}); }
      }).forEach(function (result) { hits[result.ref] = true; });
    });
    return hits;
  }

  /* The ids matching every word of ``value`` (null: no word to search for). A word matches by its stem, or
     as the beginning of a word while it is being typed. */
  function searchIds(search, value) {
    var words = searchText(value).split(/[\s,;:!?()\[\]{}"«»“”<>*+~^]+/).filter(function (w) {
      return w && !isStopWord(search, w);
    });
    if (!words.length) { return null; }
    var found = null;
    words.forEach(function (word) {
      var hits = wordHits(search, word);
      if (found === null) {
        found = hits;
      } else {
        Object.keys(found).forEach(function (id) { if (!hits[id]) { delete found[id]; } });
      }
    });
    return found;
  }

  var STEPS = [1, 2, 5, 10, 20, 50];
  var YEAR_MS = 365.2425 * 864e5;

  /* A Plotly date string ("2015-07-02 12:00") as milliseconds; numbers pass through. */
  function when(value) {
    return typeof value === "number" ? value : Date.parse(String(value).replace(" ", "T") + "Z");
  }

  /* One year label per ~56 px at most: on a phone a 20-year axis shows every 5th year, never rotated text.
     The x-axis is a date axis whose dtick is "M12", "M24", ... (labels at mid-year, see tracker/site/charts.py). */
  function fitTicks(layout, width) {
    var axis = layout.xaxis;
    if (!axis || !axis.range || typeof axis.dtick !== "string" || axis.dtick.charAt(0) !== "M") { return; }
    var span = (when(axis.range[1]) - when(axis.range[0])) / YEAR_MS;
    var room = Math.max(2, Math.floor(width / 56));
    var i = STEPS.indexOf(parseInt(axis.dtick.slice(1), 10) / 12);
    while (i >= 0 && i < STEPS.length - 1 && span / STEPS[i] > room) { i += 1; }
    if (i >= 0) { axis.dtick = "M" + 12 * STEPS[i]; }
  }

  /* The chart as a PNG or SVG file, made by Plotly in the browser (no server, no network). */
  function wireDownloads(box) {
    var bar = document.querySelector('[data-chart-downloads="' + box.id + '"]');
    if (!bar) { return; }
    bar.querySelectorAll("button[data-format]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.Plotly.downloadImage(box, {format: button.getAttribute("data-format"), width: 1000, height: 500,
                                          filename: bar.getAttribute("data-name")});
      });
    });
    bar.hidden = false;
  }

  function drawCharts() {
    var boxes = document.querySelectorAll("[data-chart]");
    if (!boxes.length || !window.Plotly) { return; }
    boxes.forEach(function (box) {
      var spec = readJSON(box.getAttribute("data-chart"));
      if (!spec) { return; }
      fitTicks(spec.layout, box.clientWidth);
      window.Plotly.newPlot(box, spec.data, spec.layout, spec.config).then(function () {
        box.setAttribute("data-drawn", "true");
        wireDownloads(box);
      });
    });
    document.querySelectorAll("[data-series-switch]").forEach(function (wrap) {
      var select = wrap.querySelector("select");
      var box = document.getElementById(select.getAttribute("data-chart-target"));
      wrap.hidden = false;
      select.addEventListener("change", function () {
        var chosen = select.value;
        var visible = box.data.map(function (trace) {
          if (!trace.meta || typeof trace.meta.series !== "string") { return true; }
          return chosen === "*" || trace.meta.series === chosen ? true : "legendonly";
        });
        window.Plotly.restyle(box, { visible: visible });
      });
    });
  }

  function setupFilter() {
    var form = document.querySelector("[data-filter]");
    var index = readJSON("search-index");
    if (!form || !index) { return; }
    var byId = {};
    index.forEach(function (item) { byId[item.id] = item; });
    var query = form.querySelector("#q");
    var objective = form.querySelector("#f-objective");
    var category = form.querySelector("#f-category");
    var count = document.getElementById("filter-count");
    var noMatch = document.querySelector("[data-no-match]");
    var items = Array.prototype.slice.call(document.querySelectorAll("li[data-id]"));
    var template = count.getAttribute("data-template");
    var search = buildSearch(index);
    form.hidden = false;
    form.setAttribute("data-search", search ? "lunr" : "plain");

    function apply() {
      var words = fold(query.value).split(/\s+/).filter(Boolean);
      var matched = search ? searchIds(search, query.value) : null;
      var shown = 0;
      items.forEach(function (li) {
        var item = byId[li.getAttribute("data-id")];
        var found = !item ? false : matched ? !!matched[item.id]
          : words.every(function (w) { return item.text.indexOf(w) !== -1; });
        var ok = !!item && found &&
          (!objective.value || item.objective === objective.value) &&
          (!category.value || item.category === category.value);
        li.hidden = !ok;
        if (ok) { shown += 1; }
      });
      document.querySelectorAll("[data-group]").forEach(function (group) {
        var list = group.querySelectorAll("li[data-id]");
        if (!list.length) { return; }
        group.hidden = !group.querySelector("li[data-id]:not([hidden])");
      });
      count.textContent = template.replace("{shown}", shown).replace("{total}", items.length);
      noMatch.hidden = shown !== 0;
    }

    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { query.value = params.get("q"); }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    [query, objective, category].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    apply();
  }

  /* A table wider than its column scrolls inside its region: say so above it, in the page's language (the
     words come from the page's data-scroll-hint), and again when the window is resized. */
  function markScrolling() {
    var words = document.body.getAttribute("data-scroll-hint");
    if (!words) { return; }
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = words;
        wrap.parentNode.insertBefore(hint, wrap);
      }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      hint.classList.toggle("shown", scrolls);
      wrap.toggleAttribute("data-scrolls", scrolls);
    });
  }

  function start() {
    markScrolling();
    window.addEventListener("resize", markScrolling);
    setupFilter();
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
