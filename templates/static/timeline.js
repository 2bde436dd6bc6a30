/* digest: the timeline as a tool. Filters entries by the terms in their data-terms
   ("taxonomy:slug ..."), keeps the filter in the URL (?company=mistral-ai&regulation=eu-ai-act)
   so a view can be shared, and marks today. Without JavaScript the full list shows.

   Semantics: an entry is shown when, for every taxonomy with checked terms, it concerns
   at least one of them (OR within a taxonomy, AND across taxonomies). */
(function () {
  "use strict";
  var form = document.getElementById("tl-filter");
  var list = document.getElementById("timeline");
  if (!list) return;
  var entries = Array.prototype.slice.call(list.querySelectorAll(".tl-entry"));
  var lang = (form && form.getAttribute("data-lang")) || document.documentElement.lang || "en";
  var numbers = window.Intl ? new Intl.NumberFormat(lang) : { format: String };

  entries.forEach(function (li) {
    li._terms = (li.getAttribute("data-terms") || "").split(/\s+/).filter(Boolean);
  });

  markToday();
  if (!form) return;

  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"]'));
  var taxonomies = [];
  boxes.forEach(function (box) { if (taxonomies.indexOf(box.name) < 0) taxonomies.push(box.name); });
  var status = document.getElementById("tl-status");
  var chips = document.getElementById("tl-chips");
  var yearNavs = Array.prototype.slice.call(document.querySelectorAll(".year-jump"));  // years, months
  // Terms asked for in the URL but not on this page still filter (and show as chips).
  var extra = {};

  function template(name, values) {
    return (form.getAttribute("data-" + name) || "").replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] != null ? values[key] : "";
    });
  }

  function selection() {
    var chosen = {};
    boxes.forEach(function (box) {
      if (box.checked) (chosen[box.name] = chosen[box.name] || []).push(box.value);
    });
    Object.keys(extra).forEach(function (tax) {
      extra[tax].forEach(function (slug) {
        var values = (chosen[tax] = chosen[tax] || []);
        if (values.indexOf(slug) < 0) values.push(slug);
      });
    });
    return chosen;
  }

  function matches(li, chosen) {
    return Object.keys(chosen).every(function (tax) {
      return chosen[tax].some(function (slug) { return li._terms.indexOf(tax + ":" + slug) >= 0; });
    });
  }

  function readURL() {
    var params = new URLSearchParams(window.location.search);
    extra = {};
    boxes.forEach(function (box) { box.checked = false; });
    params.forEach(function (value, key) {
      if (!/^[a-z0-9-]+$/.test(key)) return;
      value.split(",").forEach(function (slug) {
        slug = slug.trim();
        if (!slug) return;
        var box = form.querySelector('input[type="checkbox"][name="' + key + '"][value="' + CSS.escape(slug) + '"]');
        if (box) box.checked = true;
        else if (key !== "q") (extra[key] = extra[key] || []).push(slug);
      });
    });
  }

  function writeURL(chosen) {
    var params = new URLSearchParams();
    var keys = taxonomies.concat(Object.keys(extra).filter(function (k) { return taxonomies.indexOf(k) < 0; }));
    keys.forEach(function (tax) {
      (chosen[tax] || []).forEach(function (slug) { params.append(tax, slug); });
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      history.replaceState(null, "", url);
    }
    return query;
  }

  function nameOf(tax, slug) {
    var box = form.querySelector('input[name="' + tax + '"][value="' + CSS.escape(slug) + '"]');
    return box ? box.getAttribute("data-name") : slug;
  }

  function renderChips(chosen) {
    chips.textContent = "";
    Object.keys(chosen).forEach(function (tax) {
      chosen[tax].forEach(function (slug) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chip tag-" + tax;
        var name = nameOf(tax, slug);
        button.setAttribute("aria-label", template("remove", { name: name }));
        var text = document.createElement("span");
        text.textContent = name;
        var x = document.createElement("span");
        x.className = "chip-x";
        x.setAttribute("aria-hidden", "true");
        x.textContent = "×";
        button.appendChild(text);
        button.appendChild(x);
        button.addEventListener("click", function () {
          var box = form.querySelector('input[name="' + tax + '"][value="' + CSS.escape(slug) + '"]');
          if (box) box.checked = false;
          if (extra[tax]) {
            extra[tax] = extra[tax].filter(function (s) { return s !== slug; });
            if (!extra[tax].length) delete extra[tax];
          }
          apply(true);
          // Keep the keyboard where it was: the next chip, else the term's checkbox.
          var next = chips.querySelector("button");
          if (next) next.focus();
          else if (box && box.offsetParent) box.focus();
          else form.querySelector("summary").focus();
        });
        li.appendChild(button);
        chips.appendChild(li);
      });
    });
    taxonomies.forEach(function (tax) {
      var badge = form.querySelector('.facet-selected[data-for="' + tax + '"]');
      if (badge) badge.textContent = chosen[tax] ? "(" + numbers.format(chosen[tax].length) + ")" : "";
    });
  }

  function apply(updateURL) {
    var chosen = selection();
    var active = Object.keys(chosen).length > 0;
    var shown = 0;
    entries.forEach(function (li) {
      var visible = !active || matches(li, chosen);
      li.hidden = !visible;
      if (visible) shown += 1;
    });
    Array.prototype.forEach.call(list.querySelectorAll(".tl-month"), function (section) {
      section.hidden = !section.querySelector(".tl-entry:not([hidden])");
    });
    var years = {};
    Array.prototype.forEach.call(list.querySelectorAll(".tl-year"), function (section) {
      section.hidden = !section.querySelector(".tl-entry:not([hidden])");
      years[section.getAttribute("data-year")] = !section.hidden;
    });
    var query = updateURL ? writeURL(chosen) : window.location.search.replace(/^\?/, "");
    yearNavs.forEach(function (yearNav) {
      Array.prototype.forEach.call(yearNav.querySelectorAll("a"), function (a) {
        var li = a.parentNode;
        var year = li.getAttribute("data-year");
        var href = a.getAttribute("href");
        if (href.charAt(0) === "#") {
          li.hidden = year && years[year] === false;
        } else {
          a.setAttribute("href", href.split("?")[0] + (query ? "?" + query : ""));
        }
      });
    });
    list.classList.toggle("is-filtered", active);
    status.textContent = active
      ? template("status-some", { shown: numbers.format(shown), total: numbers.format(entries.length) })
      : template("status-all", { total: numbers.format(entries.length) });
    renderChips(chosen);
    document.getElementById("tl-clear").hidden = !active;
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "checkbox") apply(true);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  document.getElementById("tl-clear").addEventListener("click", function () {
    extra = {};
    boxes.forEach(function (box) { box.checked = false; });
    apply(true);
    form.querySelector("summary").focus();
  });
  Array.prototype.forEach.call(form.querySelectorAll(".facet-find"), function (input) {
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase(lang);
      Array.prototype.forEach.call(input.parentNode.querySelectorAll(".facet-list li"), function (li) {
        li.hidden = needle && li.textContent.toLocaleLowerCase(lang).indexOf(needle) < 0;
      });
    });
  });
  window.addEventListener("popstate", function () { readURL(); apply(false); });
  // Open the groups that hold a term from the URL, so the reader sees what is checked.
  readURL();
  // On a phone the groups start closed, so the timeline is not pushed off screen.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 40rem)").matches;
  Array.prototype.forEach.call(form.querySelectorAll("details.facet"), function (details) {
    var checked = details.querySelector('input[type="checkbox"]:checked');
    if (checked) details.open = true;
    else if (narrow) details.open = false;
  });
  apply(false);

  /* Today: a marker between the last past entry and the first future one. */
  function markToday() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
    var pageYear = list.getAttribute("data-year");
    var onMain = !pageYear;
    if (pageYear && String(now.getFullYear()) !== pageYear) return;
    if (!entries.length) return;
    var next = null;
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].getAttribute("data-date") > today) { next = entries[i]; break; }
    }
    var prev = next ? entries[entries.indexOf(next) - 1] || null : entries[entries.length - 1];
    entries.forEach(function (li) {
      if (li.getAttribute("data-date") > today) li.classList.add("is-future");
    });
    if (!prev && !onMain) return;
    var formAttr = form || list;
    var label = (formAttr.getAttribute && formAttr.getAttribute("data-today")) || "Today";
    var dateText = window.Intl
      ? new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" }).format(now)
      : today;
    function build(tag) {
      var el = document.createElement(tag);
      el.className = "tl-today-row";
      el.id = "today";
      var span = document.createElement("span");
      span.className = "tl-today-label";
      var time = document.createElement("time");
      time.setAttribute("datetime", today);
      time.textContent = label + " · " + dateText;
      span.appendChild(time);
      el.appendChild(span);
      return el;
    }
    if (prev && next && prev.parentNode === next.parentNode) {
      next.parentNode.insertBefore(build("li"), next);
    } else if (prev) {
      var month = prev.closest(".tl-month");
      var year = prev.closest(".tl-year");
      if (next && next.closest(".tl-year") === year) month.parentNode.insertBefore(build("div"), month.nextSibling);
      else year.parentNode.insertBefore(build("div"), year.nextSibling);
    } else {
      var first = list.querySelector(".tl-year");
      first.parentNode.insertBefore(build("div"), first);
    }
    var nav = document.querySelector(".year-jump ul");
    if (nav && nav.querySelector('a[href^="#"]')) {
      var li = document.createElement("li");
      li.className = "jump-today";
      var a = document.createElement("a");
      a.href = "#today";
      a.textContent = label;
      li.appendChild(a);
      nav.appendChild(li);
    }
  }
})();
