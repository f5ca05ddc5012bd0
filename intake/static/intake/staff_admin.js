/* Staff admin: never lose typed input silently.
   - Warn two minutes before an idle session ends (the server keeps a review form posted after
     it ended anyway, see intake/staff/site.py).
   - Ask before leaving a review form with unsaved text.
   - The print view's Print button. */
(function () {
  "use strict";

  function sessionWarning() {
    var timer = document.getElementById("session-timer");
    if (!timer) { return; }
    var minutes = parseInt(timer.getAttribute("data-minutes"), 10);
    if (!(minutes > 2)) { return; }
    window.setTimeout(function () {
      var box = document.createElement("p");
      box.className = "staff-banner banner-session";
      box.setAttribute("role", "alert");
      box.textContent = "Your session ends in 2 minutes without activity. Save what you " +
        "typed now (if it ends, your review form is kept and comes back after you log in).";
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }, (minutes - 2) * 60 * 1000);
  }

  function unsavedGuard() {
    var holder = document.querySelector("[data-keep-typed]");
    if (!holder) { return; }
    var form = holder.closest("form");
    if (!form) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function printButton() {
    var button = document.querySelector("[data-print]");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function start() { sessionWarning(); unsavedGuard(); printButton(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
