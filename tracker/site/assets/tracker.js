/* Smart City tracker: the one script of the scorecard. No network, no library besides Plotly (indicator pages).
   - draws every [data-chart] container from the inert JSON spec named by its data-chart attribute;
   - wires the series switch of a disaggregated chart;
   - filters the list of indicators (all-indicators page) over the embedded search index.
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

  function drawCharts() {
    var boxes = document.querySelectorAll("[data-chart]");
    if (!boxes.length || !window.Plotly) { return; }
    boxes.forEach(function (box) {
      var spec = readJSON(box.getAttribute("data-chart"));
      if (!spec) { return; }
      fitTicks(spec.layout, box.clientWidth);
      window.Plotly.newPlot(box, spec.data, spec.layout, spec.config).then(function () {
        box.setAttribute("data-drawn", "true");
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
    form.hidden = false;

    function apply() {
      var words = fold(query.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var item = byId[li.getAttribute("data-id")];
        var ok = !!item && words.every(function (w) { return item.text.indexOf(w) !== -1; }) &&
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
