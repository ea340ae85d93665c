// Progressive enhancement for the ballot: keeps the running total up to date while ticking.
// Without JavaScript the "Check my choice" button shows the same total from the server.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) { return; }
  var budget = parseInt(form.getAttribute("data-budget"), 10);
  var boxes = form.querySelectorAll("input[type=checkbox][data-cost]");

  function euro(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var rest = cents % 100;
    return sign + "\u20ac\u00a0" + whole + (rest ? "," + (rest < 10 ? "0" : "") + rest : "");
  }

  function show(name, text) {
    var el = form.querySelector("[data-total=" + name + "]");
    if (el) { el.textContent = text; }
  }

  function update() {
    var spent = 0, count = 0;
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { spent += parseInt(boxes[i].getAttribute("data-cost"), 10); count += 1; }
    }
    show("count", String(count));
    show("spent", euro(spent));
    show("left", euro(budget - spent));
    var over = form.querySelector("[data-total=over]");
    if (over) { over.hidden = spent <= budget; }
  }

  for (var i = 0; i < boxes.length; i++) { boxes[i].addEventListener("change", update); }
})();
