// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // "Print or save as PDF" button on the results page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
