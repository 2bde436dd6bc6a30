/* digest: the search page. Loads Pagefind's UI from the site itself (the index lives in
   /pagefind/ under the site's base path), keeps the query in the URL (?q=...) and
   explains itself when the index is missing. Without JavaScript the page lists the
   ways to browse instead. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  var fallback = document.getElementById("search-fallback");
  if (!root) return;
  var bundle = root.getAttribute("data-bundle");
  var base = root.getAttribute("data-base");

  function missing() {
    if (fallback) {
      var message = document.createElement("p");
      message.className = "search-message";
      message.textContent = root.getAttribute("data-missing");
      fallback.insertBefore(message, fallback.firstChild);
      var strong = fallback.querySelector("strong");
      if (strong) strong.parentNode.removeChild(strong);
    }
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onerror = missing;
  script.onload = function () {
    if (typeof window.PagefindUI !== "function") { missing(); return; }
    var params = new URLSearchParams(window.location.search);
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: base,
      showImages: false,
      showSubResults: true,
      autofocus: !params.get("q"),
      processTerm: function (term) {
        var url = new URL(window.location.href);
        if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
        history.replaceState(null, "", url.pathname + url.search + url.hash);
        return term;
      }
    });
    // Pagefind names its box with a title only; give it a real label.
    var input = root.querySelector(".pagefind-ui__search-input");
    if (input) {
      input.id = "search-input";
      var label = document.createElement("label");
      label.htmlFor = "search-input";
      label.className = "visually-hidden";
      label.textContent = root.getAttribute("data-label");
      input.parentNode.insertBefore(label, input);
    }
    if (fallback) fallback.hidden = true;
    var q = params.get("q");
    if (q) ui.triggerSearch(q);
  };
  document.head.appendChild(css);
  document.head.appendChild(script);
})();
