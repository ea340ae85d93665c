// Printing a results or commitments page prints its folded sections too (explanations, the record), then
// folds them back. Without JavaScript only their headings print.
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    var folded = document.querySelectorAll("details:not([open])");
    for (var i = 0; i < folded.length; i++) {
      folded[i].setAttribute("data-opened-for-print", "");
      folded[i].open = true;
    }
  });
  window.addEventListener("afterprint", function () {
    var opened = document.querySelectorAll("details[data-opened-for-print]");
    for (var i = 0; i < opened.length; i++) {
      opened[i].removeAttribute("data-opened-for-print");
      opened[i].open = false;
    }
  });
})();
