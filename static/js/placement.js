// Enroll, transfer and convert pages: choosing a site narrows the teachers to those who teach there.
// Each teacher option carries data-sites (the ids of their sites); the server checks the pair anyway.
(function () {
  "use strict";
  var site = document.querySelector("[data-placement-site]");
  var teacher = document.querySelector("[data-placement-teacher]");
  if (!site || !teacher) { return; }

  function narrow() {
    var chosen = site.value;
    Array.prototype.forEach.call(teacher.options, function (option) {
      if (!option.value) { return; }  // the empty choice stays
      var sites = (option.getAttribute("data-sites") || "").split(" ");
      var fits = !chosen || sites.indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) { teacher.value = ""; }
    });
  }

  site.addEventListener("change", narrow);
  narrow();
})();
