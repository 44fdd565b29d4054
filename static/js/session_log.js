// "All present" on the session log: an explicit tap that checks P for every participant.
// Nothing is pre-selected otherwise; the server refuses a log with a participant unmarked.
(function () {
  "use strict";
  var form = document.getElementById("session-log");
  if (!form) { return; }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mark-all]");
    if (!button) { return; }
    var value = button.getAttribute("data-mark-all");
    form.querySelectorAll('input[type="radio"][value="' + value + '"]').forEach(function (input) {
      input.checked = true;
    });
  });
})();
