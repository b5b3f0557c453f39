/* tsunagu web UI — small vanilla JavaScript written for this project (no libraries, no CDN). */
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  var ja = document.documentElement.lang !== "en";
  function tr(jaText, enText) { return ja ? jaText : enText; }

  /* ---- background jobs: poll /api/v1/jobs/{id} and show progress ---- */
  function watchJob(panel) {
    var section = panel.querySelector("[data-job-id]");
    if (!section) { return; }
    var id = section.getAttribute("data-job-id");
    var statusEl = panel.querySelector("[data-job-status]");
    if (!id || !statusEl) { return; }
    var status = statusEl.textContent.trim();
    if (status === "done" || status === "failed") { return; }
    var bar = panel.querySelector("[data-job-bar]");
    var stage = panel.querySelector("[data-job-stage]");
    var count = panel.querySelector("[data-job-count]");
    var errorEl = panel.querySelector("[data-job-error]");
    function poll() {
      fetch("/api/v1/jobs/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { throw new Error(res.body.detail || "error"); }
          var job = res.body;
          if (bar) { bar.value = job.percent; }
          if (stage) { stage.textContent = job.stage; }
          statusEl.textContent = job.status;
          var label = panel.querySelector("[data-job-status-label]");
          var names = { queued: tr("待機中", "queued"), running: tr("処理中", "running"), done: tr("完了", "done"), failed: tr("失敗", "failed") };
          if (label) { label.textContent = names[job.status] || job.status; }
          if (count && job.total) { count.textContent = job.done + " / " + job.total; }
          if (job.status === "done") { window.location.reload(); return; }
          if (job.status === "failed") {
            if (errorEl) { errorEl.textContent = job.message; errorEl.hidden = false; }
            return;
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function (err) {
          if (errorEl) { errorEl.textContent = String(err.message || err); errorEl.hidden = false; }
          window.setTimeout(poll, 3000);
        });
    }
    window.setTimeout(poll, 500);
  }

  /* ---- upload with progress through the API (the form still works without JavaScript) ---- */
  function setupUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var block = form.querySelector("[data-progress]");
    var bar = block ? block.querySelector("progress") : null;
    var text = form.querySelector("[data-progress-text]");
    var errorEl = form.querySelector("[data-upload-error]");
    form.addEventListener("submit", function (ev) {
      if (!input.files || !input.files.length || !window.XMLHttpRequest) { return; }
      ev.preventDefault();
      var file = input.files[0];
      var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      errorEl.hidden = true;
      if (max && file.size > max) {
        errorEl.textContent = tr("ファイルが大きすぎます。", "The file is too large.");
        errorEl.hidden = false;
        return;
      }
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      block.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/imports?filename=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var pct = Math.round(100 * e.loaded / e.total);
          bar.value = pct;
          text.textContent = tr("アップロード中 ", "Uploading ") + pct + "%";
        }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 202 && body.id) {
          text.textContent = tr("取込を開始しました…", "Import started…");
          window.location.href = "/jobs/" + encodeURIComponent(body.id);
        } else {
          errorEl.textContent = body.detail || (tr("アップロードに失敗しました", "Upload failed") + " (" + xhr.status + ")");
          errorEl.hidden = false;
          button.disabled = false;
        }
      };
      xhr.onerror = function () {
        errorEl.textContent = tr("通信エラーが発生しました。", "Network error.");
        errorEl.hidden = false;
        button.disabled = false;
      };
      xhr.send(file);
    });
  }

  /* ---- range inputs show their value ---- */
  function setupRanges() {
    document.querySelectorAll('input[type="range"][data-output]').forEach(function (r) {
      var out = document.getElementById(r.getAttribute("data-output"));
      var update = function () { if (out) { out.textContent = Number(r.value).toFixed(2); } };
      r.addEventListener("input", update);
      update();
    });
  }

  /* ---- forms that show a busy state while the server works ---- */
  function setupBusyForms() {
    document.querySelectorAll("form[data-busy]").forEach(function (f) {
      f.addEventListener("submit", function () {
        var msg = f.querySelector("[data-busy-msg]");
        if (msg) { msg.hidden = false; }
        var b = f.querySelector('button[type="submit"]');
        if (b) { b.setAttribute("aria-disabled", "true"); }
      });
    });
  }

  /* ---- confirm before irreversible actions ---- */
  function setupConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-panel]").forEach(watchJob);
    document.querySelectorAll("form[data-upload]").forEach(setupUpload);
    setupRanges();
    setupBusyForms();
    setupConfirm();
    if (window.tsunaguCharts) { window.tsunaguCharts.init(); }
  });
})();

/* ---- 用途探索: home field → target field map (SVG built from the page's JSON) ---- */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function draw() {
    var box = document.querySelector("[data-field-map]");
    var src = document.getElementById("field-map-data");
    if (!box || !src) { return; }
    var data = JSON.parse(src.textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "ja";
    var homes = data.homes || [], targets = data.targets || [];
    if (!targets.length) { return; }
    var rowH = 30, h = Math.max(homes.length, targets.length) * rowH + 20, w = 1000, x1 = 360, x2 = 640;
    // a group, not an image: the proposed fields are links to their idea cards
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, role: "group", "aria-label": box.getAttribute("aria-label") || "" }, box);
    function ypos(i, n) { return 10 + (h - 20) * (i + 0.5) / Math.max(1, n); }
    var hy = {}, ty = {};
    homes.forEach(function (hm, i) { hy[hm.code] = ypos(i, homes.length); });
    targets.forEach(function (tg, i) { ty[tg.code] = ypos(i, targets.length); });
    (data.links || []).forEach(function (lk) {
      if (hy[lk.home] === undefined || ty[lk.target] === undefined) { return; }
      var y1 = hy[lk.home], y2 = ty[lk.target];
      var path = el("path", { d: "M" + x1 + "," + y1 + " C500," + y1 + " 500," + y2 + " " + x2 + "," + y2, fill: "none",
        stroke: lk.novelty > 0.66 ? "#b35c00" : "#0b5cad", "stroke-width": 1 + 4 * lk.weight, opacity: 0.55 }, s);
      el("title", {}, path).textContent = lk.home + " → " + lk.target + " (novelty " + Number(lk.novelty).toFixed(2) + ")";
    });
    homes.forEach(function (hm) {
      var t = el("text", { x: x1 - 10, y: hy[hm.code] + 4, "text-anchor": "end" }, s);
      var hname = (hm.name && hm.name[lang]) || "";
      t.textContent = hm.code + " " + (hname.length > 20 ? hname.slice(0, 19) + "…" : hname);
      el("title", {}, t).textContent = hm.code + " " + hname;
      el("circle", { cx: x1, cy: hy[hm.code], r: 5, fill: "#1d7a38" }, s);
    });
    targets.forEach(function (tg) {
      el("circle", { cx: x2, cy: ty[tg.code], r: 5, fill: "#0b5cad" }, s);
      var a = el("a", { href: "#idea-" + tg.rank }, s);
      var t = el("text", { x: x2 + 10, y: ty[tg.code] + 4 }, a);
      var tname = (tg.name && tg.name[lang]) || "";
      t.textContent = tg.rank + ". " + tg.code + " " + (tname.length > 20 ? tname.slice(0, 19) + "…" : tname);
      el("title", {}, t).textContent = tg.code + " " + tname;
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
