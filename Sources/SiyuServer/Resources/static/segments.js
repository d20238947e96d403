// Segment builder: shows only the inputs a condition type uses, keeps a live "≈ N people" count
// (POST /console/segments/preview with the CSRF header), and reads a chosen CSV file into the text box.
(function () {
  "use strict";
  var uses = {
    event: ["key", "op", "value", "days"], trait: ["key", "op", "value"], tag: ["value"], identity: ["key"],
    firstChannel: ["op", "value"], lastChannel: ["op", "value"], orders: ["op", "value", "days"], revenue: ["op", "value", "days"],
    lastSeen: ["op", "value"], rfm: ["value"], tier: ["key", "value"], churn: ["value"], attribute: ["key", "op", "value"]
  };
  var ops = {
    event: ["gte", "lte", "eq"], trait: ["eq", "neq", "contains", "gt", "lt", "isSet", "isNotSet"], firstChannel: ["in", "notIn"],
    lastChannel: ["in", "notIn"], orders: ["gte", "lte", "eq"], revenue: ["gt", "lt", "gte", "lte"], lastSeen: ["gt", "lt"],
    attribute: ["gt", "lt", "gte", "lte"]
  };
  function shape(row) {
    var type = row.querySelector("[data-field=type]").value;
    row.setAttribute("data-type", type);
    var shown = uses[type] || [];
    ["key", "op", "value", "days"].forEach(function (name) {
      var el = row.querySelector("[data-field=" + name + "]");
      if (el) el.hidden = shown.indexOf(name) < 0;
    });
    var op = row.querySelector("[data-field=op]");
    if (op && ops[type]) {
      var allowed = ops[type];
      Array.prototype.forEach.call(op.options, function (o) { o.hidden = allowed.indexOf(o.value) < 0; });
      if (allowed.indexOf(op.value) < 0) op.value = allowed[0];
    }
  }
  function kind(form) {
    var select = form.querySelector("[data-kind]");
    if (!select) return;
    Array.prototype.forEach.call(form.querySelectorAll("[data-for-kind]"), function (el) {
      el.hidden = el.getAttribute("data-for-kind") !== select.value;
    });
  }
  function csvFiles(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-csv-file]"), function (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        var target = input.closest("form").querySelector("[data-csv-text]");
        if (!file || !target) return;
        var reader = new FileReader();
        reader.onload = function () { target.value = String(reader.result || ""); };
        reader.readAsText(file);
      });
    });
  }
  function builder(form) {
    var out = form.querySelector("[data-live-count]");
    var token = form.querySelector("input[name=_csrf]");
    var timer = null;
    var seq = 0;
    function count() {
      if (!out || !token || !form.querySelector("[data-rule]")) return;
      var mine = ++seq;
      var body = new URLSearchParams(new FormData(form));
      body.delete("csv");
      fetch("/console/segments/preview", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token.value, "Accept": "application/json" },
        body: body.toString()
      }).then(function (r) { return r.json(); }).then(function (json) {
        if (mine !== seq) return;
        out.textContent = json.text || json.error || "";
        out.classList.toggle("is-error", !!json.error);
      }).catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(count, 400); }
    Array.prototype.forEach.call(form.querySelectorAll("[data-row]"), function (row) {
      shape(row);
      row.querySelector("[data-field=type]").addEventListener("change", function () { shape(row); });
    });
    form.addEventListener("input", later);
    form.addEventListener("change", function () { kind(form); later(); });
    kind(form);
    count();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-segment-builder]"), builder);
    csvFiles(document);
  });
})();
