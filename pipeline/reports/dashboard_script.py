"""The dashboard's inline script and style: sorting by any column and filtering the plans,
in the page itself (no external file, no network: the page works opened from the file
system). Without scripts the page shows the whole table, in the order it was written.

The table (`#plans`) gives what the script needs: each sortable heading a `data-type` (text,
number or date); each cell its sort key in `data-sort` when its text is not the key (an empty
key sorts last, in either direction); each row `data-name` (what the name filter searches),
`data-status` and `data-behind`.
"""

from __future__ import annotations

DASHBOARD_CSS = """
body.dashboard{max-width:none}
.table-wrap{overflow-x:auto;max-width:100%}
.table-wrap table{margin-top:0}
#plans{font-size:.9rem}
#plans th,#plans td{padding:.35rem .25rem}
#plans th{vertical-align:bottom;font-size:.8rem}
#plans td.plan{min-width:11rem}
#plans td.plan .small,#plans td.plan code{overflow-wrap:anywhere}
#plans .badge{white-space:normal}
#plans td.meter .bar{display:block;margin:.3rem 0 .2rem}
th .sort{all:unset;cursor:pointer;display:inline-block}
th .sort:focus-visible{outline:2px solid #93c5fd;outline-offset:2px}
th .sort::after{content:"\\2195";opacity:.55;margin-left:.15rem;font-size:.8em}
th[aria-sort=ascending] .sort::after{content:"\\25B2";opacity:1}
th[aria-sort=descending] .sort::after{content:"\\25BC";opacity:1}
.bar.short{width:3.2rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center;margin:.5rem 0 .75rem}
.filters input[type=search],.filters select{font:inherit;padding:.15rem .3rem}
.filters[hidden]{display:none}
#plans tbody tr:hover{background:#f9fafb}
"""

DASHBOARD_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("plans");
  if (!table || !table.tHead || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function key(row, index, type) {
    var cell = row.cells[index];
    if (!cell) { return null; }
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort")
      : cell.textContent.trim();
    if (raw === "") { return null; }
    if (type === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    if (type === "date") {
      var t = Date.parse(raw);
      return isNaN(t) ? null : t;
    }
    return raw.toLowerCase();
  }

  function sortBy(th, index, type) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    heads.forEach(function (h) {
      if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = Array.prototype.map.call(body.rows, function (row, position) {
      return {key: key(row, index, type), position: position, row: row};
    });
    keyed.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) { return a.position - b.position; }
        return a.key === null ? 1 : -1;
      }
      var order = type === "text" ? a.key.localeCompare(b.key)
        : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      if (order === 0) { return a.position - b.position; }
      return ascending ? order : -order;
    });
    keyed.forEach(function (item) { body.appendChild(item.row); });
  }

  heads.forEach(function (th, index) {
    var type = th.getAttribute("data-type");
    if (!type) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.title = (th.title ? th.title + ". " : "") + "Sort by this column";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () { sortBy(th, index, type); });
  });

  var form = document.getElementById("filters");
  if (!form) { return; }
  var name = document.getElementById("filter-name");
  var status = document.getElementById("filter-status");
  var behind = document.getElementById("filter-behind");
  var shown = document.getElementById("filter-shown");

  function filter() {
    var words = name.value.trim().toLowerCase();
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var visible = (!words || (row.getAttribute("data-name") || "").indexOf(words) >= 0)
        && (!status.value || row.getAttribute("data-status") === status.value)
        && (!behind.checked || row.getAttribute("data-behind") === "true");
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = count + " of " + body.rows.length + " plan(s) shown";
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  name.addEventListener("input", filter);
  status.addEventListener("change", filter);
  behind.addEventListener("change", filter);
  form.hidden = false;
  filter();
})();
"""
