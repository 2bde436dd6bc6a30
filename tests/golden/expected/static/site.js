/* digest: the light/dark toggle. The page follows the system setting until the reader
   chooses; the choice is kept in localStorage and applied before first paint by the
   small script in <head>. Without JavaScript the system setting applies. */
(function () {
  "use strict";
  var KEY = "digest-theme";
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  if (!button) return;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function current() {
    var chosen = root.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") return chosen;
    return media && media.matches ? "dark" : "light";
  }
  var themeColor = document.querySelector('meta[name="theme-color"]');
  function show() {
    var dark = current() === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    if (themeColor) themeColor.setAttribute("content", themeColor.getAttribute(dark ? "data-dark" : "data-light"));
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
    show();
  });
  if (media && media.addEventListener) media.addEventListener("change", show);
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    if (event.newValue === "dark" || event.newValue === "light") root.setAttribute("data-theme", event.newValue);
    else root.removeAttribute("data-theme");
    show();
  });
  show();
})();

/* Sortable tables (the taxonomy indexes): each column header becomes a button that
   sorts by the cells' data-sort value (or their text), toggling the direction and
   announcing it through aria-sort. Without JavaScript the table stays sorted by name. */
(function () {
  "use strict";
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var headers = table.querySelectorAll("thead th");
    var body = table.tBodies[0];
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        if (th.hasAttribute("data-sort-default-asc") && !th.hasAttribute("aria-sort")) descending = false;
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  function key(cell) {
    var value = cell.getAttribute("data-sort");
    if (value === null) return cell.textContent.trim().toLowerCase();
    var number = Number(value);
    return value !== "" && !isNaN(number) ? number : value;
  }
})();
