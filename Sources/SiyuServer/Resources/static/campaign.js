// Campaign wall screen: re-reads the tiles every minute and, with ?rotate=1, switches between the
// channel and KOL views. Without this script the page reloads itself (meta refresh in <noscript>).
(function () {
  "use strict";
  var wall = document.querySelector("[data-campaign]");
  if (!wall || !window.fetch) return;
  var seconds = parseInt(wall.getAttribute("data-refresh"), 10) || 60;
  var rotate = wall.getAttribute("data-rotate") === "1";
  var view = wall.getAttribute("data-view") || "channels";

  function show(name) {
    view = name;
    wall.setAttribute("data-view", name);
    var sections = wall.querySelectorAll("[data-wall-view]");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = sections[i].getAttribute("data-wall-view") !== name;
    }
    var links = document.querySelectorAll("[data-view-link]");
    for (var j = 0; j < links.length; j++) {
      var current = links[j].getAttribute("data-view-link") === name;
      links[j].classList.toggle("current", current);
      if (current) links[j].setAttribute("aria-current", "true"); else links[j].removeAttribute("aria-current");
    }
  }

  function refresh() {
    var url = wall.getAttribute("data-live-src") + "&view=" + encodeURIComponent(view);
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || typeof body.html !== "string") return;
        wall.innerHTML = body.html;
        show(view);
      })
      .catch(function () { /* keep the last figures; try again next time */ });
  }

  window.setInterval(function () {
    if (rotate) show(view === "channels" ? "kols" : "channels");
    refresh();
  }, seconds * 1000);
})();
