// The session log on a phone: "All present", a live "12 of 18 marked" on the save bar, and after a
// refused save, the first unmarked student brought into view with the focus on their first mark.
// Nothing is pre-selected; the server refuses a log with a participant unmarked.
(function () {
  "use strict";
  var form = document.getElementById("session-log");
  if (!form) { return; }
  var counter = form.querySelector("[data-marked-count]");

  function updateCount() {
    if (!counter) { return; }
    var rows = form.querySelectorAll(".mark-row");
    var marked = 0;
    rows.forEach(function (row) {
      if (row.querySelector('input[type="radio"]:checked')) { marked += 1; }
      else { return; }
      row.classList.remove("has-error");
    });
    counter.textContent = counter.getAttribute("data-template")
      .replace("__marked__", marked).replace("__total__", counter.getAttribute("data-total"));
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mark-all]");
    if (!button) { return; }
    var value = button.getAttribute("data-mark-all");
    form.querySelectorAll('input[type="radio"][value="' + value + '"]').forEach(function (input) {
      input.checked = true;
    });
    updateCount();
  });
  form.addEventListener("change", updateCount);

  var firstUnmarked = form.querySelector(".mark-row.has-error");
  if (firstUnmarked) {
    firstUnmarked.scrollIntoView({ block: "center" });
    var radio = firstUnmarked.querySelector('input[type="radio"]');
    if (radio) { radio.focus({ preventScroll: true }); }
  }
})();
