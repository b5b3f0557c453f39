/* tsunagu landscape page: draws every chart as SVG from the embedded JSON. No network access. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("landscape-data").textContent);
  var L = D.labels;
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a"];
  var tip = document.getElementById("tip");

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (attrs.hasOwnProperty(k)) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el("text", Object.assign({x: x, y: y}, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function showTip(evt, html) {
    tip.innerHTML = html;
    tip.style.display = "block";
    tip.style.left = (evt.pageX + 12) + "px";
    tip.style.top = (evt.pageY + 12) + "px";
  }
  function hideTip() { tip.style.display = "none"; }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function short(s, n) { s = String(s || ""); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function niceStep(max) {
    var raw = max / 4, p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function hover(node, html) {
    node.addEventListener("mousemove", function (e) { showTip(e, html); });
    node.addEventListener("mouseleave", hideTip);
  }
  function svgIn(id, w, h) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    return el("svg", {viewBox: "0 0 " + w + " " + h, width: "100%", role: "img"}, box);
  }

  function barsH(id, rows, opts) {
    var w = 760, rowH = 22, left = opts.left || 260, top = 10;
    var h = top + rows.length * rowH + 30;
    var svg = svgIn(id, w, h);
    if (!svg) { return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    rows.forEach(function (r, i) {
      var y = top + i * rowH;
      var bw = (w - left - (opts.valueWidth || 90)) * r.value / max;
      var bar = el("rect", {x: left, y: y + 3, width: Math.max(bw, 1), height: rowH - 6,
                            fill: r.highlight ? "#d62728" : (opts.color || "#4c78a8"), "class": "bar"}, svg);
      text(svg, left - 6, y + rowH / 2 + 4, short(r.label, Math.floor(left / 12.5)), {"text-anchor": "end", "class": "lbl"});
      text(svg, left + bw + 4, y + rowH / 2 + 4, r.valueLabel || r.value, {"class": "val"});
      hover(bar, r.tip);
    });
  }

  function ranking() {
    barsH("chart-ranking", D.ranking.map(function (a) {
      return {label: a.name, value: a.documents, highlight: a.key === D.company_key,
              tip: "<b>" + esc(a.name) + "</b><br>" + a.documents + " " + esc(L.documents) + " / " +
                   a.families + " " + esc(L.families) + "<br>" + (a.first_year || "?") + "–" + (a.last_year || "?")};
    }), {});
  }

  function yearly() {
    var years = Object.keys(D.yearly.counts).map(Number).sort(function (a, b) { return a - b; });
    var w = 760, h = 260, left = 50, bottom = 30, top = 10;
    var svg = svgIn("chart-yearly", w, h);
    if (!svg || !years.length) { return; }
    var top0 = Math.max.apply(null, years.map(function (y) { return D.yearly.counts[y]; }).concat([1]));
    var step = niceStep(top0), max = Math.ceil(top0 / step) * step;
    var bw = (w - left - 10) / years.length;
    var every = Math.max(1, Math.ceil(years.length / 12));
    el("line", {x1: left, y1: h - bottom, x2: w - 10, y2: h - bottom, stroke: "#333"}, svg);
    for (var g = 0; g <= max; g += step) {
      var gy = h - bottom - (h - bottom - top) * g / max;
      el("line", {x1: left, y1: gy, x2: w - 10, y2: gy, stroke: "#eee"}, svg);
      text(svg, left - 4, gy + 4, g, {"text-anchor": "end", "class": "val"});
    }
    years.forEach(function (y, i) {
      var c = D.yearly.counts[y];
      var bh = (h - bottom - top) * c / max;
      var r = el("rect", {x: left + i * bw + 1, y: h - bottom - bh, width: Math.max(bw - 2, 1), height: bh,
                          fill: "#4c78a8", "class": "bar"}, svg);
      hover(r, "<b>" + y + "</b>: " + c);
      if (y % every === 0) {
        text(svg, left + i * bw + bw / 2, h - bottom + 14, y, {"text-anchor": "middle", "class": "val"});
      }
    });
  }

  function treemap() {
    var w = 760, h = 420;
    var svg = svgIn("chart-share", w, h);
    if (!svg) { return; }
    D.treemap.forEach(function (t, i) {
      var x = t.x * w, y = (1 - t.y - t.h) * h, rw = t.w * w, rh = t.h * h;
      var r = el("rect", {x: x, y: y, width: rw, height: rh, fill: PALETTE[i % PALETTE.length],
                          stroke: "#fff", "stroke-width": 2, opacity: 0.85, "class": "bar"}, svg);
      hover(r, "<b>" + esc(t.field) + "</b> " + esc(t.name) + "<br>" + t.count + " (" + (t.share * 100).toFixed(1) + "%)");
      if (rw > 40 && rh > 24) {
        text(svg, x + rw / 2, y + rh / 2, t.field, {"text-anchor": "middle", fill: "#fff", "class": "lbl"});
        text(svg, x + rw / 2, y + rh / 2 + 14, t.count, {"text-anchor": "middle", fill: "#fff", "class": "val"});
      }
    });
  }

  function matrix() {
    var box = document.getElementById("chart-matrix");
    if (!box) { return; }
    var m = D.matrix, max = 1;
    m.counts.forEach(function (row) { row.forEach(function (v) { max = Math.max(max, v); }); });
    var html = "<table class='heat sortable'><thead><tr><th>" + esc(L.applicant) + "</th>";
    m.fields.forEach(function (f, j) { html += "<th title='" + esc(m.field_names[j]) + "'>" + esc(f) + "</th>"; });
    html += "</tr></thead><tbody>";
    m.applicants.forEach(function (a, i) {
      var cls = m.applicant_keys[i] === D.company_key ? " class='me'" : "";
      html += "<tr" + cls + "><td>" + esc(a) + "</td>";
      m.counts[i].forEach(function (v, j) {
        var t = v ? Math.log(1 + v) / Math.log(1 + max) : 0;
        var bg = "rgba(31,119,180," + (0.08 + 0.85 * t).toFixed(3) + ")";
        var fg = t > 0.6 ? "#fff" : "#000";
        html += "<td style='background:" + bg + ";color:" + fg + "' title='" + esc(a) + " × " + esc(m.fields[j]) +
                " " + esc(m.field_names[j]) + "'>" + (v || "") + "</td>";
      });
      html += "</tr>";
    });
    box.innerHTML = html + "</tbody></table>";
  }

  function network() {
    var w = 760, h = 520, pad = 40;
    var svg = svgIn("chart-network", w, h);
    if (!svg) { return; }
    var pos = {};
    D.network.nodes.forEach(function (n) { pos[n.field] = [pad + n.x * (w - 2 * pad), pad + (1 - n.y) * (h - 2 * pad)]; });
    var cmax = Math.max.apply(null, D.network.edges.map(function (e) { return e.count; }).concat([1]));
    var nmax = Math.max.apply(null, D.network.nodes.map(function (n) { return n.count; }).concat([1]));
    var lines = D.network.edges.map(function (e) {
      var a = pos[e.source], b = pos[e.target];
      var l = el("line", {x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: "#999",
                          "stroke-width": 0.5 + 5 * e.count / cmax, opacity: 0.55}, svg);
      hover(l, esc(e.source) + " – " + esc(e.target) + ": " + e.count + " (Jaccard " + e.jaccard.toFixed(3) + ")");
      return {e: e, l: l};
    });
    D.network.nodes.forEach(function (n) {
      var p = pos[n.field];
      var c = el("circle", {cx: p[0], cy: p[1], r: 5 + 22 * Math.sqrt(n.count / nmax),
                            fill: PALETTE["ABCDEFGH".indexOf(n.field.charAt(0)) % PALETTE.length],
                            opacity: 0.85, stroke: "#fff", "class": "node"}, svg);
      text(svg, p[0], p[1] + 4, n.field, {"text-anchor": "middle", "class": "lbl"});
      hover(c, "<b>" + esc(n.field) + "</b> " + esc(n.name) + "<br>" + n.count);
      c.addEventListener("mouseenter", function () {
        lines.forEach(function (x) {
          var on = x.e.source === n.field || x.e.target === n.field;
          x.l.setAttribute("stroke", on ? "#d62728" : "#999");
          x.l.setAttribute("opacity", on ? 0.9 : 0.15);
        });
      });
      c.addEventListener("mouseleave", function () {
        lines.forEach(function (x) { x.l.setAttribute("stroke", "#999"); x.l.setAttribute("opacity", 0.55); });
      });
    });
  }

  function docmap() {
    if (!D.map) { return; }
    var w = 760, h = 560, pad = 20;
    var svg = svgIn("chart-map", w, h);
    if (!svg) { return; }
    var xs = D.map.points.map(function (p) { return p.x; }), ys = D.map.points.map(function (p) { return p.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    function sx(x) { return pad + (x - x0) / ((x1 - x0) || 1) * (w - 2 * pad); }
    function sy(y) { return h - pad - (y - y0) / ((y1 - y0) || 1) * (h - 2 * pad); }
    var hidden = {};
    var dots = D.map.points.map(function (p) {
      var c = el("circle", {cx: sx(p.x), cy: sy(p.y), r: 3.2, fill: PALETTE[p.cluster % PALETTE.length],
                            opacity: 0.6, "class": "dot"}, svg);
      hover(c, "<b>" + esc(p.publication_number) + "</b> " + (p.year || "") + "<br>" + esc(p.title) + "<br>" +
               esc(p.applicant) + "<br><i>" + esc(D.map.clusters[p.cluster].label) + "</i>");
      return {p: p, c: c};
    });
    D.map.clusters.forEach(function (c) {
      text(svg, sx(c.x), sy(c.y), (c.id + 1) + ". " + c.label, {"text-anchor": "middle", "class": "clabel"});
    });
    var legend = document.getElementById("map-legend");
    D.map.clusters.forEach(function (c) {
      var b = document.createElement("label");
      b.innerHTML = "<input type='checkbox' checked> <span class='sw' style='background:" +
                    PALETTE[c.id % PALETTE.length] + "'></span> " + (c.id + 1) + ". " + esc(c.label) + " (" + c.size + ")";
      b.querySelector("input").addEventListener("change", function (e) { hidden[c.id] = !e.target.checked; apply(); });
      legend.appendChild(b);
    });
    var box = document.getElementById("map-search");
    function apply() {
      var q = (box.value || "").toLowerCase();
      dots.forEach(function (d) {
        var show = !hidden[d.p.cluster];
        var hit = q && (d.p.title + " " + d.p.applicant + " " + d.p.publication_number).toLowerCase().indexOf(q) >= 0;
        d.c.setAttribute("display", show ? "inline" : "none");
        d.c.setAttribute("r", hit ? 6 : 3.2);
        d.c.setAttribute("stroke", hit ? "#000" : "none");
        d.c.setAttribute("opacity", q && !hit ? 0.2 : 0.6);
      });
    }
    box.addEventListener("input", apply);
  }

  function whitespace() {
    if (!D.white_space || !D.white_space.length) { return; }
    barsH("chart-whitespace", D.white_space.map(function (s) {
      return {label: s.field + " " + (s.name || ""), value: s.score,
              valueLabel: s.documents + " (" + s.recent_years + ": " + s.recent + ")",
              tip: "<b>" + esc(s.field) + "</b> " + esc(s.name) + "<br>" + esc(L.links) + ": " +
                   s.links.slice(0, 5).map(function (l) { return esc(l[0]) + " (" + l[1] + ")"; }).join(", ") +
                   "<br>" + esc(L.active) + ": " +
                   s.top_applicants.map(function (a) { return esc(a[0]) + " (" + a[1] + ")"; }).join(", ")};
    }), {color: "#59a14f", left: 300, valueWidth: 150});
  }

  function sortable() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      Array.prototype.forEach.call(table.querySelectorAll("th"), function (th, col) {
        th.addEventListener("click", function () {
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var asc = th.getAttribute("data-dir") !== "asc";
          th.setAttribute("data-dir", asc ? "asc" : "desc");
          rows.sort(function (a, b) {
            var x = a.cells[col].textContent, y = b.cells[col].textContent;
            var nx = parseFloat(x), ny = parseFloat(y);
            var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "ja");
            return asc ? r : -r;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  ranking(); yearly(); treemap(); matrix(); network(); docmap(); whitespace(); sortable();
})();
