// Bar charts of the monthly work-order bulletin (ECharts, vendored: static/vendor/echarts.min.js).
(function () {
  function draw(id, data) {
    var el = document.getElementById(id);
    if (!el || !window.echarts || !data.names.length) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: ["按期办结", "逾期办结", "未办结"] },
      grid: { left: 40, right: 16, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, name: "件" },
      series: [
        { name: "按期办结", type: "bar", stack: "all", data: data.on_time, itemStyle: { color: "#3a8d5c" } },
        { name: "逾期办结", type: "bar", stack: "all", data: data.late, itemStyle: { color: "#d9a23b" } },
        { name: "未办结", type: "bar", stack: "all", data: data.open, itemStyle: { color: "#c0392b" } }
      ]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() {
    var data = JSON.parse(document.getElementById("bulletin-data").textContent);
    draw("chart-departments", data.departments);
    draw("chart-streets", data.streets);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
