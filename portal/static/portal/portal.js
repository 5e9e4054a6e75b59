/* Raffle Backoffice staff portal: small helpers around django-unicorn. No dependencies. */
(function () {
  "use strict";

  /* Unicorn.portalRefresh("a", "b"): ask the named components on this page to re-render.
     Called by the `live-version` poller (server side: self.call("Unicorn.portalRefresh")). */
  function install() {
    var U = window.Unicorn;
    if (!U || U.portalRefresh) return;
    U.portalGridSelect = function (numbers) { window.portalGridSelect(numbers); };
    U.portalRefresh = function () {
      Array.prototype.forEach.call(arguments, function (name) {
        try { U.call(name, "refresh"); } catch (e) { /* not on this page */ }
      });
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);

  /* A signed-out session: the unicorn endpoint answers 401/403; reload to reach the login. */
  var origFetch = window.fetch;
  var reloading = false;
  window.fetch = function (input, init) {
    return origFetch.apply(this, arguments).then(function (response) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (!reloading && url.indexOf("/unicorn/") !== -1 &&
          (response.status === 401 || response.status === 403)) {
        reloading = true;
        window.location.reload();
      }
      return response;
    });
  };

  /* Ticket grid: one click listener for every number (plain HTML, not one component each).
     A click chooses that number (and shows it in the detail panel); Shift-click chooses the
     numbers from the last one clicked to this one that have its status; Ctrl/Cmd-click, or
     a click with "Select several" ticked (phones), adds or removes one. The choice lives
     here, survives live re-renders, and is written into the sale panel's "Numbers" field. */
  var chosen = [];
  var lastClicked = null;
  function showChosen() {
    document.querySelectorAll(".tickets button.t[data-n]").forEach(function (el) {
      var on = chosen.indexOf(parseInt(el.dataset.n, 10)) !== -1;
      el.classList.toggle("selected", on);
      el.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  /* After a re-render: nothing chosen keeps the number the server highlighted (Go to). */
  function reshowChosen() {
    if (!chosen.length) return;
    showChosen();
  }
  function writeChosen() {
    var field = document.getElementById("sale-numbers");
    if (!field) return;
    field.value = chosen.slice().sort(function (a, b) { return a - b; }).join(", ");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  /* Called by the sale panel (server side: self.call("Unicorn.portalGridSelect", [..])). */
  function gridSelect(numbers) {
    chosen = (numbers || []).map(function (n) { return parseInt(n, 10); });
    lastClicked = null;
    showChosen();
  }
  window.portalGridSelect = gridSelect;
  document.addEventListener("click", function (event) {
    var cell = event.target.closest && event.target.closest("button.t[data-n]");
    if (!cell) return;
    event.preventDefault();
    var n = parseInt(cell.dataset.n, 10);
    var multi = document.querySelector("[data-grid-multi]");
    var adding = event.shiftKey || event.ctrlKey || event.metaKey || (multi && multi.checked);
    if (event.shiftKey && lastClicked !== null) {
      var low = Math.min(lastClicked, n), high = Math.max(lastClicked, n);
      cell.closest(".tickets").querySelectorAll("button.t[data-n]").forEach(function (el) {
        var m = parseInt(el.dataset.n, 10);
        if (m >= low && m <= high && el.dataset.status === cell.dataset.status &&
            chosen.indexOf(m) === -1) chosen.push(m);
      });
    } else if (event.ctrlKey || event.metaKey || (multi && multi.checked)) {
      var at = chosen.indexOf(n);
      if (at === -1) chosen.push(n); else chosen.splice(at, 1);
      lastClicked = n;
    } else {
      chosen = [n];
      lastClicked = n;
    }
    showChosen();
    writeChosen();
    if (adding) return;  /* choosing several: the detail panel (a sheet on phones) stays shut */
    install();
    try { window.Unicorn.call("ticket-detail", "show", n); }
    catch (e) { /* the detail panel is not on this page */ }
  });
  /* Typing in the "Numbers" field forgets the grid's choice (the field says what is chosen). */
  document.addEventListener("input", function (event) {
    if (event.isTrusted && event.target.id === "sale-numbers") {
      chosen = [];
      lastClicked = null;
      showChosen();
    }
  });

  /* Ticket grid for the keyboard: a block is one tab stop (roving tabindex); arrow keys
     move inside it, Home and End go to its first and last number. */
  function gridCells(grid) { return grid.querySelectorAll("button.t[data-n]"); }
  function rove(grid, cell) {
    gridCells(grid).forEach(function (el) { el.tabIndex = el === cell ? 0 : -1; });
  }
  function gridColumns(grid) {
    var columns = getComputedStyle(grid).gridTemplateColumns.split(" ").length;
    return Math.max(1, columns);
  }
  document.addEventListener("keydown", function (event) {
    var cell = event.target.closest && event.target.closest("button.t[data-n]");
    var grid = cell && cell.closest(".tickets");
    if (!grid || event.ctrlKey || event.metaKey || event.altKey) return;
    var cells = Array.prototype.slice.call(gridCells(grid));
    var at = cells.indexOf(cell);
    var moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: gridColumns(grid),
      ArrowUp: -gridColumns(grid), Home: -at, End: cells.length - 1 - at };
    if (!(event.key in moves)) return;
    event.preventDefault();
    event.stopPropagation();
    var next = cells[Math.max(0, Math.min(cells.length - 1, at + moves[event.key]))];
    rove(grid, next);
    next.focus();
  }, true);
  document.addEventListener("focusin", function (event) {
    var cell = event.target.closest && event.target.closest("button.t[data-n]");
    if (cell) rove(cell.closest(".tickets"), cell);
  });
  /* After a live re-render, the number that has the focus stays the block's tab stop. */
  function keepRovingStop() {
    var active = document.activeElement;
    if (active && active.matches && active.matches(".tickets button.t[data-n]")) {
      rove(active.closest(".tickets"), active);
    }
  }

  /* <button data-print>: print the page (instead of an inline onclick, which the CSP blocks). */
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  /* The Menu button of a phone opens and closes the full navigation. */
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) nav.classList.toggle("open", open);
  });

  /* Keyboard shortcuts: c = confirm, r = reject (focus the reason), u = undo the confirmation
     its toast offers. Ctrl/Cmd+Enter in a field with data-submit="<selector>" clicks that button. */
  /* <select data-change-call="component:method">: call it with the chosen (integer) value.
     Instead of an inline onchange="", which the Content-Security-Policy blocks. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.changeCall) return;
    var parts = el.dataset.changeCall.split(":");
    window.Unicorn.call(parts[0], parts[1], parseInt(el.value, 10));
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (typing) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && target.dataset.submit) {
        var submit = document.querySelector(target.dataset.submit);
        if (submit) { event.preventDefault(); submit.click(); }
      }
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key.toLowerCase();
    var el = document.querySelector('[data-shortcut="' + key + '"]');
    if (!el || el.disabled) return;
    event.preventDefault();
    if (el.tagName === "TEXTAREA" || el.tagName === "INPUT") el.focus(); else el.click();
  });

  /* Keep chat views scrolled to the newest message after each update. */
  function scrollChats() {
    document.querySelectorAll(".chat[data-autoscroll]").forEach(function (el) {
      el.scrollTop = el.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    scrollChats();
    if (window.Unicorn && window.Unicorn.addEventListener) {
      window.Unicorn.addEventListener("updated", scrollChats);
      window.Unicorn.addEventListener("updated", keepRovingStop);
      window.Unicorn.addEventListener("updated", reshowChosen);
    }
  });
})();

/* Text sent as an argument, not a synced field (so a chat can refresh while you type):
   <button data-call="component:method" data-arg="#input">. Enter in an input with
   data-enter="#button" clicks that button. A proof upload (simulator) goes by fetch(). */
(function () {
  "use strict";
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-call]");
    if (!button || button.disabled) return;
    var parts = button.dataset.call.split(":");
    var input = button.dataset.arg ? document.querySelector(button.dataset.arg) : null;
    if (input && !input.value.trim()) { input.focus(); return; }
    var value = input ? input.value : undefined;
    if (input) input.value = "";
    if (value === undefined) window.Unicorn.call(parts[0], parts[1]);
    else window.Unicorn.call(parts[0], parts[1], value);
    if (input) input.focus();
  });
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || event.shiftKey || !el.dataset || !el.dataset.enter) return;
    event.preventDefault();
    var button = document.querySelector(el.dataset.enter);
    if (button) button.click();
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-sim-file]") || !input.files.length) return;
    var form = input.closest("form");
    var status = form.querySelector("[data-sim-upload-status]");
    var body = new FormData(form);
    var wa = document.querySelector("#sim-wa");
    var name = document.querySelector("#sim-name");
    body.set("wa_id", wa ? wa.value : "");
    body.set("name", name ? name.value : "");
    status.textContent = status.dataset.sending || "Sending…";
    status.style.color = "";
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then(function (r) { return r.json(); }).then(function (data) {
      status.textContent = data.error ? data.error : (status.dataset.sent || "Sent.");
      status.style.color = data.error ? "var(--bad)" : "";
      input.value = "";
      try { window.Unicorn.call("simulator", "refresh"); } catch (e) { /* */ }
    }).catch(function () { status.textContent = status.dataset.failed || "Could not send the file."; });
  });
})();

/* The inbox: a canned reply chosen in <select data-insert="#textarea"> goes into the reply
   box; the unread count of the nav badge ([data-unread-total]) goes into the page title,
   and a browser notification says when it grows (only if the staff member allowed them). */
(function () {
  "use strict";
  var baseTitle = document.title;
  var lastUnread = null;
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-insert]") || !select.value) return;
    var box = document.querySelector(select.dataset.insert);
    if (!box) return;
    var start = box.selectionStart || box.value.length;
    box.value = box.value.slice(0, start) + select.value + box.value.slice(box.selectionEnd || start);
    select.value = "";
    box.focus();
  });
  function showUnread() {
    var el = document.querySelector("[data-unread-total]");
    if (!el) return;
    var n = parseInt(el.dataset.unreadTotal || "0", 10) || 0;
    document.title = n ? "(" + n + ") " + baseTitle : baseTitle;
    if (lastUnread !== null && n > lastUnread && "Notification" in window &&
        Notification.permission === "granted") {
      try { new Notification(document.title); } catch (e) { /* not allowed here */ }
    }
    lastUnread = n;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-notify-permission]");
    if (!button || !("Notification" in window)) return;
    Notification.requestPermission().then(function () { button.hidden = true; });
  });
  document.addEventListener("DOMContentLoaded", function () {
    var ask = document.querySelector("[data-notify-permission]");
    if (ask && "Notification" in window && Notification.permission === "default") ask.hidden = false;
    showUnread();
    if (window.Unicorn && window.Unicorn.addEventListener) {
      window.Unicorn.addEventListener("updated", showUnread);
    }
  });
})();
