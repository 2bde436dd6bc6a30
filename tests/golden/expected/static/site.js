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
