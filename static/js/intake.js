// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // "Print or save as PDF" button on the results page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    document.querySelectorAll(".print-hint").forEach(function (hint) { hint.hidden = true; });
    button.addEventListener("click", function () { window.print(); });
  });
})();
