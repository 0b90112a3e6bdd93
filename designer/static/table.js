// The table view of a process (designer/templates/designer/table.html): add, remove and reorder
// steps; show the threshold only for the ratio mode; hint what the assignee value means. Inputs are
// named steps-<i>-<field>; they are renumbered in table order before the form is sent, so the
// server reads the steps in the order shown. Without JavaScript the page still edits and deploys.
// On a version page: the server-drawn SVG is replaced by the bpmn-js viewer (zoom, pan) once it
// has imported the file; if it cannot, the SVG stays.
(function () {
  "use strict";
  var box = document.getElementById("version-diagram");
  var source = document.getElementById("version-xml");
  if (!box || !source || !window.LZ) return;
  var img = box.querySelector("img");
  var holder = document.createElement("div");
  holder.className = "diagram bpmn-viewer";
  holder.style.height = (img && img.clientHeight > 0 ? Math.min(520, Math.max(220, img.clientHeight + 40)) : 420) + "px";
  if (img) img.style.display = "none";
  box.appendChild(holder);
  window.LZ.renderDiagram(holder, JSON.parse(source.textContent)).then(function () {
    if (img) img.remove();
    box.classList.add("ready");
  }).catch(function (e) {
    holder.remove();
    if (img) img.style.display = "";
    if (window.console) console.warn("diagram viewer:", e);
  });
})();

(function () {
  "use strict";
  var form = document.getElementById("table-form");
  if (!form) return;
  var body = document.querySelector("#steps tbody");
  var template = document.getElementById("step-template");
  var HINTS = JSON.parse(body.dataset.hints || "{}");

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-step]")); }

  function renumber() {
    rows().forEach(function (row, i) {
      row.querySelector(".step-no").textContent = String(i + 1);
      row.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(/^steps-\d+-/, "steps-" + i + "-");
      });
      row.querySelector("[data-move='-1']").disabled = i === 0;
      row.querySelector("[data-move='1']").disabled = i === rows().length - 1;
      row.querySelector("[data-remove]").disabled = rows().length === 1;
    });
  }

  function sync(row) {
    var mode = row.querySelector("[data-mode]");
    var threshold = row.querySelector("[data-threshold]");
    threshold.classList.toggle("hidden", mode.value !== "ratio");
    row.querySelector("[data-weights]").classList.toggle("hidden", ["majority", "ratio"].indexOf(mode.value) < 0);
    row.querySelectorAll("input[name$='-skip_initiator'], input[name$='-skip_repeated']").forEach(function (box) {
      box.disabled = mode.value === "handle";  // auto-approval only exists for approval modes
      if (box.disabled) box.checked = false;
    });
    var strategy = row.querySelector("[data-strategy]").value;
    var value = row.querySelector("[data-value]");
    value.placeholder = HINTS[strategy] || "";
    value.classList.toggle("hidden", strategy === "initiator" || strategy === "chosen");
  }

  function freeId() {
    var used = {};
    form.querySelectorAll("input[name$='-id']").forEach(function (el) { used[el.value] = true; });
    for (var n = rows().length + 1; ; n++) { if (!used["step_" + n]) return "step_" + n; }
  }

  document.getElementById("add-step").addEventListener("click", function () {
    var id = freeId();
    var html = template.innerHTML.replace(/steps-999999-/g, "steps-" + rows().length + "-");
    body.insertAdjacentHTML("beforeend", html);
    var row = rows()[rows().length - 1];
    row.querySelector("input[name$='-id']").value = id;
    sync(row);
    renumber();
    row.querySelector("input[name$='-name']").focus();
  });

  body.addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) return;
    var row = button.closest("tr");
    if (button.hasAttribute("data-remove")) {
      if (rows().length > 1) row.remove();
    } else if (button.dataset.move === "-1" && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "1" && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    }
    renumber();
  });

  body.addEventListener("change", function (e) {
    var row = e.target.closest("tr");
    if (row) sync(row);
  });

  form.addEventListener("submit", renumber);
  rows().forEach(sync);
  renumber();
})();
