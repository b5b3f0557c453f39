/* tsunagu hands-on case report charts — small SVG bar charts written for this project (no libraries).
   Reads the JSON block #case-report-data ({report, labels}) and draws into [data-case-chart] boxes;
   every figure is also in a table on the page. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#0b5cad", "#1d7a38", "#b35c00", "#7a3fa0", "#a4262c", "#00727a"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }
  function tip(node, value) {
    el("title", {}, node).textContent = value;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", value);
  }
  function short(s, n) { s = String(s || ""); return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  /* Horizontal stacked bars: rows [{name, values: [..]}], series names. */
  function hbars(box, title, rows, series) {
    rows = rows.filter(function (r) { return r.values.some(function (v) { return v > 0; }); });
    if (!rows.length) { box.textContent = "—"; box.setAttribute("data-empty", "1"); return; }
    var w = 520, left = 170, right = 40, top = series.length > 1 ? 28 : 6, bar = 18, gap = 6;
    var h = top + rows.length * (bar + gap) + 6;
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, role: "group", "aria-label": title }, box);
    var max = Math.max.apply(null, rows.map(function (r) { return r.values.reduce(function (a, b) { return a + b; }, 0); })) || 1;
    var scale = (w - left - right) / max;
    if (series.length > 1) { legend(s, series); }
    rows.forEach(function (r, i) {
      var y = top + i * (bar + gap);
      text(s, left - 6, y + bar - 4, short(r.name, 14), { "text-anchor": "end" });
      var x = left, total = 0;
      r.values.forEach(function (v, j) {
        total += v;
        if (v <= 0) { return; }
        var attrs = { x: x, y: y, width: Math.max(1, v * scale), height: bar };
        if (series.length > 1) { attrs.fill = PALETTE[j % PALETTE.length]; } else { attrs["class"] = "bar-rect"; }
        var rect = el("rect", attrs, s);
        tip(rect, r.name + (series.length > 1 ? " · " + series[j] : "") + ": " + v);
        x += v * scale;
      });
      text(s, x + 4, y + bar - 4, String(total));
    });
  }

  function legend(s, series) {
    var x = 6;
    series.forEach(function (name, j) {
      el("rect", { x: x, y: 6, width: 10, height: 10, fill: PALETTE[j % PALETTE.length] }, s);
      text(s, x + 14, 15, name);
      x += 24 + 13 * String(name).length;
    });
  }

  /* Grouped vertical bars per month. */
  function monthly(box, title, months, series, values) {
    if (!months.length) { box.textContent = "—"; box.setAttribute("data-empty", "1"); return; }
    var w = Math.max(1000, 46 * months.length + 60), h = 260, left = 36, bottom = 26, top = 28;
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, role: "group", "aria-label": title }, box);
    var max = 1;
    values.forEach(function (row) { row.forEach(function (v) { if (v > max) { max = v; } }); });
    var gw = (w - left - 10) / months.length, bw = Math.min(gw * 0.8 / series.length, 30), plot = h - bottom - top;
    var pad = (gw - bw * series.length) / 2;
    legend(s, series);
    el("line", { x1: left, y1: h - bottom, x2: w - 5, y2: h - bottom, "class": "axis" }, s);
    text(s, left - 4, top + 10, String(max), { "text-anchor": "end" });
    months.forEach(function (m, i) {
      series.forEach(function (name, j) {
        var v = values[j][i], bh = plot * v / max;
        if (v > 0) {
          var rect = el("rect", { x: left + i * gw + pad + j * bw, y: h - bottom - bh, width: Math.max(1, bw - 1), height: bh, fill: PALETTE[j % PALETTE.length] }, s);
          tip(rect, m + " · " + name + ": " + v);
        }
      });
      if (months.length <= 24 || i % Math.ceil(months.length / 12) === 0) {
        text(s, left + i * gw + gw / 2, h - bottom + 16, m.slice(2), { "text-anchor": "middle" });
      }
    });
  }

  function matrixRows(table, keys, labels) {
    return Object.keys(table).map(function (k) {
      return { name: labels[k] || k, values: keys.map(function (c) { return table[k][c] || 0; }) };
    });
  }

  function draw(box, kind, data) {
    var r = data.report, L = data.labels || {}, S = data.series || {};
    function lbl(k) { return L[k] || k; }
    if (kind === "status") {
      hbars(box, kind, Object.keys(r.by_status).map(function (k) { return { name: lbl(k), values: [r.by_status[k]] }; }), [S.cases || "cases"]);
    } else if (kind === "issues") {
      hbars(box, kind, matrixRows(r.issues, ["existing", "new"], L), [lbl("existing"), lbl("new")]);
    } else if (kind === "proposals") {
      var responses = ["proposed", "adopted", "declined", "implemented"];
      hbars(box, kind, matrixRows(r.proposals, responses, L), responses.map(lbl));
    } else if (kind === "referrals") {
      var outcomes = ["pending", "helpful", "not_helpful", "not_used"];
      hbars(box, kind, matrixRows(r.referrals, outcomes, L), outcomes.map(lbl));
    } else if (kind === "monthly") {
      var months = Object.keys(r.monthly), keys = ["opened", "solved", "closed"];
      monthly(box, kind, months, keys.map(function (k) { return S[k] || k; }), keys.map(function (k) {
        return months.map(function (m) { return r.monthly[m][k]; });
      }));
    }
  }

  function init() {
    var src = document.getElementById("case-report-data");
    if (!src) { return; }
    var data = JSON.parse(src.textContent);
    document.querySelectorAll("[data-case-chart]").forEach(function (box) {
      try { draw(box, box.getAttribute("data-case-chart"), data); } catch (err) { box.textContent = String(err); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
