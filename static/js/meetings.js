// Live sitting: follows the session over Socket.IO and refreshes server-rendered fragments.
// Used by the delegate's tablet, the chair's console and the hall screen. No inline scripts (CSP).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || typeof window.io === "undefined") { return; }
  var sessionId = parseInt(root.getAttribute("data-session-id"), 10);
  var status = document.getElementById("conn-status");
  // Timers count on the server's clock: a tablet's own clock may be minutes off.
  var serverNow = Date.parse(root.getAttribute("data-server-now") || "");
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function now() { return Date.now() + offset; }

  function setStatus(online) {
    if (!status) { return; }
    status.textContent = status.getAttribute(online ? "data-online" : "data-offline");
    status.classList.toggle("online", online);
    root.setAttribute("data-connected", online ? "true" : "false");
  }

  // Each fragment is fetched and swapped on its own; a later refresh of the same fragment wins
  // (htmx.ajax would drop concurrent requests that share a source element).
  // A form inside a fragment (check in, request to speak, vote) answers with the fragment as it
  // stands after its own change: refreshes already under way are dropped (they may have been read
  // before that change), and one asked for while the form's request is in flight runs after it.
  var generation = {};
  var inflight = {};
  var deferred = {};
  var requests = new WeakMap();

  function fragmentOf(elt) {
    var frag = elt && elt.closest ? elt.closest("[data-fragment]") : null;
    return frag ? frag.getAttribute("data-fragment") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var name = fragmentOf(e.detail.elt);
    if (!name || !e.detail.xhr) { return; }
    generation[name] = (generation[name] || 0) + 1;
    inflight[name] = (inflight[name] || 0) + 1;
    requests.set(e.detail.xhr, name);
  });
  // What a form changes for this user shows in other fragments too: checking in opens the vote
  // panel and the request to speak.
  var dependents = { attendance: ["vote", "speakers"] };
  document.addEventListener("htmx:afterRequest", function (e) {
    var name = e.detail.xhr ? requests.get(e.detail.xhr) : null;
    if (!name) { return; }
    requests.delete(e.detail.xhr);
    inflight[name] = Math.max(0, (inflight[name] || 1) - 1);
    if (!inflight[name] && deferred[name]) {
      deferred[name] = false;
      refresh(name);
    }
    if (e.detail.successful) { (dependents[name] || []).forEach(refresh); }
  });

  function refresh(name) {
    if (!document.querySelector('[data-fragment="' + name + '"]')) { return; }
    if (inflight[name]) { deferred[name] = true; return; }
    var mine = (generation[name] = (generation[name] || 0) + 1);
    var view = encodeURIComponent(root.getAttribute("data-view") || "tablet");
    window.fetch("/meetings/sessions/" + sessionId + "/fragments/" + name + "?view=" + view, {
      credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      var current = document.querySelector('[data-fragment="' + name + '"]');
      if (html === null || mine !== generation[name] || !current) { return; }
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var fresh = template.content.querySelector('[data-fragment="' + name + '"]');
      if (!fresh) { return; }
      var kept = keep(current);
      current.replaceWith(fresh);
      restore(fresh, kept);
      if (window.htmx) { window.htmx.process(fresh); }
      tick();
    }).catch(function () { /* offline: the next (re)join refreshes again */ });
  }

  // A refresh must not undo what the user is doing in the fragment: the sections they opened,
  // what they typed in its forms, and where the cursor was (matched by id).
  function keep(el) {
    var state = { open: [], values: {}, focus: null, checks: [] };
    el.querySelectorAll("details[open][id]").forEach(function (d) { state.open.push(d.id); });
    // A ballot's ticks (candidates, confidence levels): by name and value, they carry no id.
    el.querySelectorAll("input[type=checkbox][name], input[type=radio][name]").forEach(function (f) {
      if (f.checked !== f.defaultChecked) { state.checks.push([f.name, f.value, f.checked]); }
    });
    el.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (f) {
      if (f.type === "hidden" || f.type === "file") { return; }
      var changed = f.tagName === "SELECT" ?
        Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; }) :
        f.value !== f.defaultValue;
      if (changed) { state.values[f.id] = f.value; }
    });
    var active = document.activeElement;
    if (active && active.id && el.contains(active)) { state.focus = active.id; }
    return state;
  }
  function restore(el, state) {
    state.checks.forEach(function (c) {
      el.querySelectorAll('input[name="' + CSS.escape(c[0]) + '"]').forEach(function (f) {
        if (f.value === c[1]) { f.checked = c[2]; }
      });
    });
    state.open.forEach(function (id) {
      var d = el.querySelector("details#" + CSS.escape(id));
      if (d) { d.open = true; }
    });
    Object.keys(state.values).forEach(function (id) {
      var f = el.querySelector("#" + CSS.escape(id));
      if (f) { f.value = state.values[id]; }
    });
    if (state.focus) {
      var target = el.querySelector("#" + CSS.escape(state.focus));
      if (target) { target.focus(); }
    }
  }

  // Other domains' panels (the live questioning) name the events that change them.
  function panelNames() {
    var names = [];
    document.querySelectorAll("[data-refresh-on]").forEach(function (el) {
      names.push(el.getAttribute("data-fragment"));
    });
    return names;
  }
  function refreshAll() {
    ["attendance", "current", "agenda", "vote", "speakers", "hall", "chair"].concat(panelNames())
      .forEach(refresh);
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  }

  function showAttendance(a) {
    if (!a) { return; }
    setText("[data-present]", a.present);
    setText("[data-seats]", a.seats);
    setText("[data-quorum]", a.quorum);
    document.querySelectorAll("[data-quorum-met]").forEach(function (el) {
      el.textContent = el.getAttribute(a.quorum_met ? "data-yes" : "data-no");
      el.classList.toggle("status-green", !!a.quorum_met);
      el.classList.toggle("status-red", !a.quorum_met);
    });
  }

  var socket = window.io({ path: "/socket.io", transports: ["websocket", "polling"] });
  window.councilSocket = socket;

  socket.on("connect", function () {
    // Sent again after every reconnect: the ack carries the true state.
    var asked = Date.now();
    socket.emit("session:join", { session_id: sessionId }, function (ack) {
      if (!ack || !ack.ok) { setStatus(false); return; }
      // The server's clock, as of half the round trip ago: better than the page's, which was
      // read before the page finished loading.
      var server = Date.parse(ack.server_now || "");
      if (!isNaN(server)) { offset = server - (asked + Date.now()) / 2; }
      setStatus(true);
      showAttendance(ack.attendance);
      root.setAttribute("data-joined", String(Date.now()));
      refreshAll();
    });
  });
  socket.on("disconnect", function () { setStatus(false); });
  socket.on("connect_error", function () { setStatus(false); });

  socket.on("agenda:current", function () { refresh("current"); refresh("hall"); refresh("chair"); });
  socket.on("attendance:update", function (a) {
    showAttendance(a);
    setText("[data-eligible]", a.present);
  });
  socket.on("poll:opened", function () { refresh("vote"); refresh("hall"); refresh("chair"); });
  socket.on("poll:progress", function (p) {
    setText("[data-voted]", p.voted);
    setText("[data-eligible]", p.eligible);
    // The chair confirms a close with the count as it stands ("15/24 have voted").
    document.querySelectorAll("[data-confirm-template]").forEach(function (el) {
      el.setAttribute("data-confirm", el.getAttribute("data-confirm-template")
        .replace("{voted}", p.voted).replace("{eligible}", p.eligible));
    });
  });
  socket.on("poll:closed", function () { refresh("vote"); refresh("hall"); refresh("chair"); });
  socket.on("speakers:update", function () { refresh("speakers"); refresh("hall"); refresh("chair"); });
  socket.on("session:update", function (data) {
    refreshAll();
    // A hall screen moves on to the council's next sitting once this one is closed.
    if (root.getAttribute("data-kiosk") === "true" && data && data.session &&
        data.session.status === "closed") {
      window.setTimeout(function () { window.location.assign("/meetings/hall"); }, 60000);
    }
  });
  // The published agenda or its documents changed: what names them follows, and the tablet says so.
  socket.on("session:changed", function (data) {
    ["agenda", "current", "hall", "chair"].forEach(refresh);
    var banner = document.getElementById("change-banner");
    if (banner && data && data.change && data.change.text) {
      var lang = document.documentElement.lang === "en" ? "en" : "vi";
      banner.textContent = banner.getAttribute("data-label") + ": " + data.change.text[lang];
      banner.hidden = false;
    }
  });
  socket.on("hand_votes:update", function () { refresh("chair"); });
  var panelEvents = {};
  document.querySelectorAll("[data-refresh-on]").forEach(function (el) {
    var name = el.getAttribute("data-fragment");
    (el.getAttribute("data-refresh-on") || "").split(/\s+/).forEach(function (ev) {
      if (!ev) { return; }
      if (!panelEvents[ev]) {
        panelEvents[ev] = [];
        socket.on(ev, function () { panelEvents[ev].forEach(refresh); });
      }
      if (panelEvents[ev].indexOf(name) < 0) { panelEvents[ev].push(name); }
    });
  });

  function clock(secs) {
    var m = Math.floor(secs / 60);
    var s = secs % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // Speaking timers count down the time given; past it they count the time exceeded, marked.
  // Vote countdowns show the time left, then that the time is up (ballots still count until the
  // chair's close).
  function tick() {
    var t = now();
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      var started = Date.parse(el.getAttribute("data-started"));
      if (isNaN(started)) { return; }
      var limit = parseInt(el.getAttribute("data-limit"), 10) || 0;
      var secs = Math.max(0, Math.floor((t - started) / 1000));
      var over = limit > 0 && secs > limit;
      el.textContent = over ? "+" + clock(secs - limit) : clock(Math.max(0, limit - secs));
      el.classList.toggle("over", over);
      el.setAttribute("data-over", over ? "true" : "false");
    });
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) { return; }
      var left = Math.ceil((deadline - t) / 1000);
      el.textContent = left > 0 ? clock(left) : el.getAttribute("data-up-label");
      el.classList.toggle("up", left <= 0);
    });
  }
  window.setInterval(tick, 1000);
  // A fragment a form swapped in (a vote, a request to speak) shows its timers at once.
  document.addEventListener("htmx:afterSwap", tick);
  tick();
})();
