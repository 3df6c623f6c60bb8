// Instant search: suggestions under every search box as the visitor types (debounced, from
// /api/search), navigable with the keyboard. The form still works without this script.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "";
  var counter = 0;

  function enhance(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var id = "suggest-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var timer = 0, controller = null, hits = [], active = -1, lastQuery = "";

    function close() {
      list.hidden = true;
      list.textContent = "";
      hits = [];
      active = -1;
      lastQuery = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(i) {
      var items = list.children;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(found) {
      list.textContent = "";
      hits = found;
      active = -1;
      if (!found.length) { close(); return; }
      found.forEach(function (h, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = h.url;
        a.tabIndex = -1;
        a.textContent = h.title;
        if (h.section && h.section.title) {
          var s = document.createElement("span");
          s.className = "result-section";
          s.textContent = " › " + h.section.title;
          a.appendChild(s);
        }
        li.appendChild(a);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { window.location.href = h.url; });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchHits(q) {
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = "/api/search?limit=6&instant=1&q=" + encodeURIComponent(q) +
        (lang ? "&lang=" + encodeURIComponent(lang) : "");
      fetch(url, { signal: controller ? controller.signal : undefined, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (body) {
          if (input.value.trim() === q && document.activeElement === input) render(body.hits || []);
        })
        .catch(function () { /* aborted or offline: keep the plain form */ });
    }

    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (q === lastQuery) return;
      lastQuery = q;
      if (!q) { if (controller) controller.abort(); close(); return; }
      timer = setTimeout(function () { fetchHits(q); }, 150);
    });

    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!hits.length) return;
        e.preventDefault();
        var n = hits.length;
        var next = e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
        highlight(next);
      } else if (e.key === "Enter") {
        if (active >= 0 && hits[active]) {
          e.preventDefault();
          window.location.href = hits[active].url;
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); }
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  var forms = document.querySelectorAll("form.search");
  for (var i = 0; i < forms.length; i++) enhance(forms[i]);

  // "Chat with us" links: with the chat widget on the page they open it (the search that found
  // nothing typed in); without it they stay links to the contact page.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("[data-otvet-chat]");
    if (!a || !window.Otvet || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    window.Otvet.open({ draft: a.getAttribute("data-otvet-draft") || "" });
  });
})();
