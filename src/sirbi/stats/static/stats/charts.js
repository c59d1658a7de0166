/* SIRBI statistics charts (Chart.js): each <canvas data-chart="key"> draws chart-data[key], a
   {type: "line"|"bar", labels: [...], series: [{label, values}], stacked: false} object (stacked bars: one
   segment per series, with a legend). Every chart has its table on the
   page; missing values are gaps, never zeros; sample figures are a series of their own ({sample: true}). Numbers follow the page's language. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var locale = document.documentElement.lang || "es";
  // One hue per series, told apart by line style and point shape as well as by colour.
  var colours = ["#0b5d6b", "#a4361d", "#5c4300", "#4b3f8f", "#1e6b34", "#7d2a5f", "#4e5968", "#b35c00"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3], [], [6, 4], [2, 3], [10, 3, 2, 3]];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "cross", "rectRounded"];
  var format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = data[canvas.dataset.chart];
    if (!chart) { return; }
    var line = chart.type === "line";
    // Years on a linear axis, so that a gap of several years looks like one; labelled without grouping.
    var years = line ? chart.labels.map(Number) : null;
    var xAxis = line ? { type: "linear", min: Math.min.apply(null, years) - (years.length > 1 ? 0 : 1),
                         max: Math.max.apply(null, years) + (years.length > 1 ? 0 : 1),
                         ticks: { stepSize: 1, precision: 0, callback: function (v) { return String(v); } } } : {};
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, i) {
          var colour = colours[i % colours.length];
          var values = line ? series.values.map(function (v, j) { return { x: years[j], y: v }; }) : series.values;
          return { label: series.label, data: values, borderColor: colour, backgroundColor: colour,
                   // A line of sample figures (invented for the demonstration) is dotted and grey-edged points.
                   borderDash: line ? (series.sample ? [2, 4] : dashes[i % dashes.length]) : undefined, pointStyle: points[i % points.length],
                   pointRadius: line ? 4 : undefined, spanGaps: false,
                   clip: 8 };  // points on the first and last year are drawn whole
        })
      },
      options: {
        locale: locale, maintainAspectRatio: false, animation: false, layout: { padding: { left: 8, right: 12 } },
        plugins: { legend: { display: line || !!chart.stacked, labels: { usePointStyle: true } },
                   tooltip: { callbacks: {
                     title: function (items) { return line ? String(items[0].parsed.x) : items[0].label; },
                     label: function (item) { return item.dataset.label + ": " + format.format(item.parsed.y); }
                   } } },
        scales: { x: Object.assign({ stacked: !!chart.stacked }, xAxis),
                  y: { stacked: !!chart.stacked, beginAtZero: true, ticks: { callback: function (v) { return format.format(v); } } } }
      }
    });
    canvas.dataset.drawn = "true";
  });
})();
