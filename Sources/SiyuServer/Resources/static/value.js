// Customer value: while a refit runs (a few seconds on a large shop), say so and keep the button from being pressed twice.
(function () {
  "use strict";
  var form = document.querySelector("form[data-refit]");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    var status = document.querySelector("[data-refit-status]");
    if (button) button.disabled = true;
    if (status) status.textContent = form.getAttribute("data-busy") || "";
  });
})();
