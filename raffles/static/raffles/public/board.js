// The live board of a public raffle page: one block of numbers at a time from the JSON feed
// (the browser revalidates it with its ETag), a selection of free numbers, random picks and
// the "Buy on WhatsApp" link. Settings come from the #board element's data attributes.
(function () {
  "use strict";
  var app = document.getElementById("board");
  if (!app) { return; }
  var d = app.dataset;
  var min = parseInt(d.min, 10), max = parseInt(d.max, 10), width = parseInt(d.width, 10);
  var blocks = parseInt(d.blocks, 10), maxOrder = parseInt(d.maxOrder, 10) || 10;
  var selling = d.selling === "1";
  var SIZE = 1000, POLL_MS = 10000;
  var grid = document.getElementById("grid");
  var select = document.getElementById("block-select");
  var onlyFree = document.getElementById("only-free");
  var waLink = document.getElementById("wa-link");
  var waRandom = document.getElementById("wa-random");
  var selectionText = document.getElementById("selection");
  var chosen = new Set();
  var current = -1, feeds = {};

  function pad(n) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, k) { return values[k]; });
  }
  function isTaken(feed, n) {
    var i = n - feed.start, bytes = feed.bytes;
    return (bytes.charCodeAt(i >> 3) & (0x80 >> (i & 7))) !== 0;
  }
  function blockOf(n) { return Math.floor((n - min) / SIZE); }

  function load(index) {
    return fetch(d.feed + "?block=" + index, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (feed) { feed.bytes = atob(feed.taken); feeds[index] = feed; return feed; });
  }

  function render(feed) {
    var frag = document.createDocumentFragment();
    for (var n = feed.start; n <= feed.end; n++) {
      var taken = isTaken(feed, n);
      var b = document.createElement("button");
      b.type = "button";
      b.className = "cell " + (taken ? "taken" : "free") + (chosen.has(n) ? " chosen" : "");
      b.textContent = pad(n);
      b.dataset.n = n;
      if (taken || !selling) { b.disabled = true; }
      frag.appendChild(b);
    }
    grid.replaceChildren(frag);
    grid.classList.toggle("only-free", onlyFree.checked);
    select.value = String(feed.block);
  }

  function show(index) {
    index = Math.max(0, Math.min(blocks - 1, index));
    current = index;
    return load(index).then(function (feed) { if (current === index) { render(feed); } return feed; });
  }

  function updateLink() {
    var list = Array.from(chosen).sort(function (a, b) { return a - b; });
    if (selectionText) {
      selectionText.textContent = fill(d.tSelected, { n: list.length ? list.map(pad).join(", ") : "—" });
    }
    if (!waLink) { return; }
    var qty = parseInt(document.getElementById("random-qty").value, 10) || 1;
    var text;
    if (waRandom && waRandom.checked) {
      text = d.msgRandom.replace("{qty}", String(qty));
    } else if (list.length) {
      text = d.msgNumbers.replace("{numbers}", list.map(pad).join(", "));
    } else {
      text = d.msgRandom.replace("{qty}", String(qty));
    }
    waLink.href = d.wa + "?text=" + encodeURIComponent(text);
    waLink.dataset.text = text;
  }

  function toggle(n, button) {
    if (chosen.has(n)) { chosen.delete(n); } else if (chosen.size < maxOrder) { chosen.add(n); }
    if (button) { button.classList.toggle("chosen", chosen.has(n)); }
    if (waRandom) { waRandom.checked = false; }
    updateLink();
  }

  function randomPick(qty) {
    // Free numbers from the shown block first, then from blocks picked at random.
    var tried = {}, picked = [];
    function from(feed) {
      var free = [];
      for (var n = feed.start; n <= feed.end; n++) {
        if (!isTaken(feed, n) && !chosen.has(n) && picked.indexOf(n) < 0) { free.push(n); }
      }
      while (free.length && picked.length < qty) {
        picked.push(free.splice(Math.floor(Math.random() * free.length), 1)[0]);
      }
    }
    function step(index, attempts) {
      tried[index] = true;
      return load(index).then(function (feed) {
        from(feed);
        if (picked.length >= qty || attempts > 20 || Object.keys(tried).length >= blocks) { return picked; }
        var next = Math.floor(Math.random() * blocks);
        for (var k = 0; tried[next] && k < blocks; k++) { next = (next + 1) % blocks; }
        return step(next, attempts + 1);
      });
    }
    return step(current < 0 ? 0 : current, 0);
  }

  for (var i = 0; i < blocks && i < 1000; i++) {
    var o = document.createElement("option");
    var start = min + i * SIZE;
    o.value = String(i);
    o.textContent = pad(start) + "–" + pad(Math.min(start + SIZE - 1, max));
    select.appendChild(o);
  }
  if (blocks > 1000) {
    // A million numbers: the list keeps every tenth block; jump to any number below.
    select.replaceChildren();
    for (var j = 0; j < blocks; j += Math.ceil(blocks / 1000)) {
      var p = document.createElement("option");
      p.value = String(j);
      p.textContent = pad(min + j * SIZE) + "–" + pad(Math.min(min + j * SIZE + SIZE - 1, max));
      select.appendChild(p);
    }
  }
  select.addEventListener("change", function () { show(parseInt(select.value, 10)); });
  document.getElementById("prev-block").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next-block").addEventListener("click", function () { show(current + 1); });
  onlyFree.addEventListener("change", function () { grid.classList.toggle("only-free", onlyFree.checked); });
  grid.addEventListener("click", function (e) {
    var b = e.target.closest("button.cell");
    if (b && !b.disabled) { toggle(parseInt(b.dataset.n, 10), b); }
  });
  document.getElementById("jump-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var raw = document.getElementById("jump").value.replace(/\D/g, "");
    var out = document.getElementById("jump-result");
    var n = parseInt(raw, 10);
    if (!raw || n < min || n > max) { out.textContent = fill(d.tOut, { n: raw || "?" }); return; }
    show(blockOf(n)).then(function (feed) {
      var taken = isTaken(feed, n);
      out.textContent = fill(taken ? d.tTaken : d.tFree, { n: pad(n) });
      out.className = taken ? "taken-text" : "free-text";
      var cell = grid.querySelector('[data-n="' + n + '"]');
      if (cell) { cell.classList.add("found"); cell.scrollIntoView({ block: "center" }); }
    });
  });
  var clear = document.getElementById("clear");
  if (clear) {
    clear.addEventListener("click", function () { chosen.clear(); if (feeds[current]) { render(feeds[current]); } updateLink(); });
    document.getElementById("random-pick").addEventListener("click", function () {
      var qty = Math.min(maxOrder, Math.max(1, parseInt(document.getElementById("random-qty").value, 10) || 1));
      chosen.clear();
      randomPick(qty).then(function (picked) {
        picked.forEach(function (n) { chosen.add(n); });
        if (picked.length && blockOf(picked[0]) !== current) { return show(blockOf(picked[0])); }
        if (feeds[current]) { render(feeds[current]); }
      }).then(updateLink);
    });
    document.getElementById("random-qty").addEventListener("input", updateLink);
    if (waRandom) { waRandom.addEventListener("change", updateLink); }
  }
  show(0).then(updateLink);
  setInterval(function () {
    if (document.visibilityState === "visible" && current >= 0) {
      load(current).then(function (feed) { if (feed.block === current) { render(feed); } });
    }
  }, POLL_MS);
})();
