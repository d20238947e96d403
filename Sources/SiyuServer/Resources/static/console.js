// Siyu console: the little script pages need. Everything works without it.
(function () {
  "use strict";

  // Live stream: an element with data-live-src gets its rows from that JSON endpoint every 10 s.
  var rows = document.querySelector("[data-live-src]");
  if (!rows || !window.fetch) return;
  var source = rows.getAttribute("data-live-src");
  var stamp = document.querySelector("[data-live-updated]");
  var label = stamp ? stamp.getAttribute("data-label") : "";

  function refresh() {
    if (document.hidden) return;
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) throw new Error("live stream: " + response.status);
        return response.json();
      })
      .then(function (data) {
        rows.innerHTML = data.html;
        rows.classList.remove("stale");
        if (stamp) stamp.textContent = label + " " + data.updated;
      })
      .catch(function () {
        // Keep the last rows, dimmed, and try again at the next tick.
        rows.classList.add("stale");
      });
  }

  window.setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
