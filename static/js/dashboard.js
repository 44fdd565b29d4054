// Draws the dashboard's charts from the JSON the page embeds (no inline script: CSP-friendly).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var palette = ["#198754", "#0d6efd", "#6f42c1", "#fd7e14", "#20c997", "#0dcaf0", "#adb5bd", "#dc3545"];
  function draw(name, config) {
    var canvas = document.querySelector('canvas[data-chart="' + name + '"]');
    if (canvas) { new Chart(canvas, config); }
  }
  draw("attendance", {
    type: "line",
    data: { labels: data.attendance_by_week.labels,
            datasets: [{ label: labels.attendance, data: data.attendance_by_week.rates, borderColor: palette[1] }] },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
  draw("pace", {
    type: "bar",
    data: { labels: labels.pace, datasets: [{ label: labels.contracts, data: data.contracts_by_pace,
            backgroundColor: [palette[0], palette[3], palette[7]] }] },
    options: { plugins: { legend: { display: false } } }
  });
  draw("enrollment", {
    type: "bar",
    data: { labels: data.enrollment_by_site.labels, datasets: [
      { label: labels.enrolled, data: data.enrollment_by_site.enrolled, backgroundColor: palette[1] },
      { label: labels.capacity, data: data.enrollment_by_site.capacity, backgroundColor: palette[6] }] }
  });
  draw("funnel", {
    type: "bar",
    data: { labels: data.funnel.labels, datasets: [{ label: labels.referrals, data: data.funnel.counts,
            backgroundColor: palette[2] }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } } }
  });
  draw("alumni", {
    type: "bar",
    data: { labels: data.alumni_outcomes.labels,
            datasets: data.alumni_outcomes.series.map(function (series, i) {
              return { label: series.label, data: series.data, backgroundColor: palette[i % palette.length] };
            }) },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } }
  });
})();
