/* tsunagu landscape charts — small SVG charts written for this project (no libraries). */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#0b5cad", "#1d7a38", "#b35c00", "#7a3fa0", "#a4262c", "#00727a", "#5a6b00", "#8a4b2e", "#3b5ba9", "#6b6b6b"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function svg(box, w, h, label) {
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, role: "group", "aria-label": label || "" });
    box.appendChild(s);
    return s;
  }
  function tip(node, text) {
    el("title", {}, node).textContent = text;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", text);
  }
  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }
  function short(s, n) { s = String(s || ""); return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  function ranking(box, data) {
    var rows = data.ranking || [];
    if (!rows.length) { box.textContent = "—"; return; }
    var h = 24 * rows.length + 10, w = 460, left = 180;
    var s = svg(box, w, h, "applicant ranking");
    var max = Math.max.apply(null, rows.map(function (r) { return r.documents; })) || 1;
    rows.forEach(function (r, i) {
      var y = 5 + i * 22;
      text(s, left - 6, y + 15, short(r.name, 22), { "text-anchor": "end" });
      var bw = Math.max(1, (w - left - 50) * r.documents / max);
      var highlight = data.company_key && r.key === data.company_key;
      var rect = el("rect", { x: left, y: y + 2, width: bw, height: 16, "class": "bar-rect", fill: highlight ? "#b35c00" : "" }, s);
      tip(rect, r.name + ": " + r.documents + " (" + (100 * r.share).toFixed(1) + "%)");
      text(s, left + bw + 4, y + 14, String(r.documents));
    });
  }

  function yearly(box, data) {
    var counts = (data.yearly && data.yearly.counts) || {};
    var years = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
    if (!years.length) { box.textContent = "—"; return; }
    var w = 460, h = 260, left = 40, bottom = 30;
    var s = svg(box, w, h, "filings per year");
    var max = Math.max.apply(null, years.map(function (y) { return counts[y]; })) || 1;
    var bw = (w - left - 10) / years.length;
    el("line", { x1: left, y1: h - bottom, x2: w - 5, y2: h - bottom, "class": "axis" }, s);
    years.forEach(function (y, i) {
      var v = counts[y];
      var bh = (h - bottom - 10) * v / max;
      var rect = el("rect", { x: left + i * bw + 1, y: h - bottom - bh, width: Math.max(1, bw - 2), height: bh, "class": "bar-rect" }, s);
      tip(rect, y + ": " + v);
      if (years.length <= 25 || i % Math.ceil(years.length / 12) === 0) {
        text(s, left + i * bw + bw / 2, h - bottom + 14, String(y), { "text-anchor": "middle" });
      }
    });
    text(s, left - 4, 16, String(max), { "text-anchor": "end" });
  }

  function treemap(box, data) {
    var cells = data.treemap || [];
    if (!cells.length) { box.textContent = "—"; return; }
    var w = 900, h = 300;
    var s = svg(box, w, h, "field shares");
    cells.forEach(function (c, i) {
      var g = el("g", {}, s);
      var r = el("rect", { x: c.x * w, y: c.y * h, width: Math.max(0, c.w * w - 2), height: Math.max(0, c.h * h - 2), fill: PALETTE[i % PALETTE.length], opacity: 0.85 }, g);
      tip(r, c.field + " " + c.name + ": " + c.count + " (" + (100 * c.share).toFixed(1) + "%)");
      if (c.w * w > 60 && c.h * h > 30) {
        text(g, c.x * w + 5, c.y * h + 15, c.field, { fill: "#fff", "font-weight": "700" });
        text(g, c.x * w + 5, c.y * h + 31, short(c.name, Math.max(2, Math.floor((c.w * w - 10) / 14))), { fill: "#fff" });
      }
    });
  }

  function matrix(box, data) {
    var m = data.matrix || {};
    if (!m.applicants || !m.applicants.length) { box.textContent = "—"; return; }
    var max = 1;
    m.counts.forEach(function (row) { row.forEach(function (v) { if (v > max) { max = v; } }); });
    var table = document.createElement("table");
    table.className = "data heat";
    var head = table.createTHead().insertRow();
    var th0 = document.createElement("th"); th0.scope = "col"; head.appendChild(th0);
    m.fields.forEach(function (f, j) {
      var th = document.createElement("th"); th.scope = "col"; th.textContent = f; th.title = (m.field_names || [])[j] || f; head.appendChild(th);
    });
    var body = table.createTBody();
    m.applicants.forEach(function (a, i) {
      var tr = body.insertRow();
      var th = document.createElement("th"); th.scope = "row"; th.textContent = short(a, 28); th.title = a; tr.appendChild(th);
      m.counts[i].forEach(function (v, j) {
        var td = tr.insertCell();
        td.textContent = v ? String(v) : "";
        var alpha = v / max;
        td.style.background = "rgba(11, 92, 173, " + (0.08 + 0.8 * alpha).toFixed(2) + ")";
        td.style.color = alpha > 0.5 ? "#fff" : "#1b1f24";
        td.title = a + " × " + m.fields[j] + ": " + v;
      });
    });
    box.appendChild(table);
  }

  function network(box, data) {
    var net = data.network || {};
    var nodes = net.nodes || [];
    if (!nodes.length) { box.textContent = "—"; return; }
    var w = 440, h = 340, pad = 30;
    var xs = nodes.map(function (n) { return n.x; }), ys = nodes.map(function (n) { return n.y; });
    var minx = Math.min.apply(null, xs), maxx = Math.max.apply(null, xs), miny = Math.min.apply(null, ys), maxy = Math.max.apply(null, ys);
    function px(n) { return pad + (w - 2 * pad) * (maxx > minx ? (n.x - minx) / (maxx - minx) : 0.5); }
    function py(n) { return pad + (h - 2 * pad) * (maxy > miny ? (n.y - miny) / (maxy - miny) : 0.5); }
    var s = svg(box, w, h, "co-classification network");
    var index = {};
    nodes.forEach(function (n) { index[n.field] = n; });
    var maxc = Math.max.apply(null, nodes.map(function (n) { return n.count; })) || 1;
    (net.edges || []).forEach(function (e) {
      var a = index[e.source], b = index[e.target];
      if (!a || !b) { return; }
      var line = el("line", { x1: px(a), y1: py(a), x2: px(b), y2: py(b), stroke: "#8a96a3", "stroke-width": 0.5 + 4 * e.jaccard, opacity: 0.7 }, s);
      el("title", {}, line).textContent = e.source + " – " + e.target + ": " + e.count;
    });
    nodes.forEach(function (n) {
      var c = el("circle", { cx: px(n), cy: py(n), r: 4 + 10 * Math.sqrt(n.count / maxc), fill: "#0b5cad", opacity: 0.85 }, s);
      tip(c, n.field + " " + n.name + ": " + n.count);
      text(s, px(n) + 8, py(n) + 4, n.field);
    });
  }

  function docmap(box, data) {
    var map = data.map;
    if (!map || !map.points || !map.points.length) { box.textContent = "—"; return; }
    var w = 440, h = 340, pad = 20;
    var pts = map.points;
    var xs = pts.map(function (p) { return p.x; }), ys = pts.map(function (p) { return p.y; });
    var minx = Math.min.apply(null, xs), maxx = Math.max.apply(null, xs), miny = Math.min.apply(null, ys), maxy = Math.max.apply(null, ys);
    function px(x) { return pad + (w - 2 * pad) * (maxx > minx ? (x - minx) / (maxx - minx) : 0.5); }
    function py(y) { return pad + (h - 2 * pad) * (maxy > miny ? (y - miny) / (maxy - miny) : 0.5); }
    var s = svg(box, w, h, "document map");
    pts.forEach(function (p) {
      var c = el("circle", { cx: px(p.x), cy: py(p.y), r: 3, fill: PALETTE[p.cluster % PALETTE.length], opacity: 0.75 }, s);
      el("title", {}, c).textContent = p.publication_number + " " + p.title + " (" + (p.applicant || "") + ")";
    });
    (map.clusters || []).forEach(function (cl) {
      var t = text(s, px(cl.x), py(cl.y), short(cl.label, 24), { "text-anchor": "middle", "font-weight": "700", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" });
      el("title", {}, t).textContent = cl.label + " (" + cl.size + ")";
    });
  }

  var DRAW = { ranking: ranking, yearly: yearly, treemap: treemap, matrix: matrix, network: network, map: docmap };

  function init() {
    var src = document.getElementById("landscape-data");
    if (!src) { return; }
    var data = JSON.parse(src.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var fn = DRAW[box.getAttribute("data-chart")];
      if (fn) { try { fn(box, data); } catch (err) { box.textContent = String(err); } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
