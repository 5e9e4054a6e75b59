// The live draw page: poll the tiny state feed; when the stage changes (drawn, or a new
// lottery result), load the page again in place and reveal the winners one by one.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var stateUrl = live.dataset.state;
  var stage = live.dataset.stage;
  var results = live.dataset.results;
  var busy = false;

  function reveal(doc) {
    ["live", "prizes", "method", "entries", "inputs", "verify", "raffle-status"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) old.replaceWith(fresh);
    });
    var list = document.getElementById("winners");
    if (!list) return;
    list.classList.add("revealing");
    var items = list.querySelectorAll("li");
    items.forEach(function (item, index) {
      item.style.animationDelay = index * 0.8 + "s";
    });
    var title = document.querySelector("#live h2");
    if (title) title.setAttribute("tabindex", "-1");
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) { reveal(new DOMParser().parseFromString(html, "text/html")); });
  }

  function poll() {
    if (busy) return;
    busy = true;
    fetch(stateUrl, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) return null;
        if (state.stage === "drawn" || state.stage !== stage || String(state.results) !== results) {
          var done = state.stage === "drawn";
          stage = state.stage;
          results = String(state.results);
          return refresh().then(function () { if (done) window.clearInterval(timer); });
        }
        return null;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  var timer = window.setInterval(poll, 2500);
})();
