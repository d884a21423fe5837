// Draws every <canvas data-chart="..."> from the JSON config next to it (see components/chart.html).
(function () {
  function draw() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
  document.addEventListener("htmx:afterSettle", draw);
})();
