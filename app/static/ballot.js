// Progressive enhancement for the ballot: keeps each part's running total up to date while marking.
// Without JavaScript the "Check my choice" button shows the same totals, and every problem, from the server.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) { return; }
  var parts = form.querySelectorAll(".ballot-part");

  function euro(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var rest = cents % 100;
    return sign + "\u20ac\u00a0" + whole + (rest ? "," + (rest < 10 ? "0" : "") + rest : "");
  }

  function show(part, name, text) {
    var el = part.querySelector("[data-total=" + name + "]");
    if (el) { el.textContent = text; }
  }

  function update(part) {
    var budget = parseInt(part.getAttribute("data-part-budget"), 10);
    var spent = 0, count = 0, points = 0, i;
    var boxes = part.querySelectorAll("input[type=checkbox][data-cost]");
    for (i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { spent += parseInt(boxes[i].getAttribute("data-cost"), 10); count += 1; }
    }
    var ranks = part.querySelectorAll("select.rank-input");
    for (i = 0; i < ranks.length; i++) { if (ranks[i].value) { count += 1; } }
    var given = part.querySelectorAll("input.points-input");
    for (i = 0; i < given.length; i++) {
      var value = parseInt(given[i].value, 10);
      if (value > 0) { points += value; }
    }
    show(part, "count", String(count));
    show(part, "points", String(points));
    show(part, "spent", euro(spent));
    show(part, "left", euro(budget - spent));
    var over = part.querySelector("[data-total=over]");
    if (over) { over.hidden = spent <= budget; }
  }

  function watch(part) {
    var inputs = part.querySelectorAll("input, select");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener("change", function () { update(part); });
      inputs[i].addEventListener("input", function () { update(part); });
    }
  }

  function updateAll() {
    for (var j = 0; j < parts.length; j++) { update(parts[j]); }
  }

  for (var i = 0; i < parts.length; i++) { watch(parts[i]); }
  // The browser refills the boxes after "Back" (and from its page cache) without a change event, so the totals
  // are worked out again whenever the page is shown, not only when a box changes.
  updateAll();
  window.addEventListener("pageshow", updateAll);
})();
