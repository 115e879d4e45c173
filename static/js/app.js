// Site-wide behaviour. No inline scripts anywhere: the CSP allows only files from this origin.
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  window.councilCsrfToken = csrfToken;
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // Show server error fragments (4xx) that htmx would otherwise drop.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A refusal may bring the page's part as it is now, swapped out of band (someone else moved the
  // petition meanwhile): what the user typed in fields still there stays, so do the sections they
  // opened, and the field they are typing in keeps the focus and its place on the screen.
  var TYPED = "textarea[id], input[id]:not([type]), input[id][type=text], input[id][type=search]";
  var typed = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    typed = null;
    if (status < 400 || status >= 500) { return; }
    var values = {};
    document.querySelectorAll(TYPED).forEach(function (el) {
      if (el.value) { values[el.id] = { el: el, value: el.value }; }
    });
    var opened = [];
    document.querySelectorAll("details[id][open]").forEach(function (el) { opened.push(el.id); });
    var active = document.activeElement;
    var at = active && active.id && active.matches(TYPED) ? active : null;
    typed = { values: values, opened: opened, active: at, top: at ? at.getBoundingClientRect().top : 0 };
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!typed) { return; }
    var kept = typed;
    typed = null;
    Object.keys(kept.values).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el !== kept.values[id].el && !el.value) { el.value = kept.values[id].value; }
    });
    kept.opened.forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.tagName === "DETAILS") { el.open = true; }
    });
    var now = kept.active && document.getElementById(kept.active.id);
    if (now && now !== kept.active) {
      now.focus({ preventScroll: true });
      window.scrollBy(0, now.getBoundingClientRect().top - kept.top);
    }
  });
  // After an action sent by htmx, the notice it brings (done, or refused and why) may land at the
  // top of a long page: on a phone, out of sight of the button at the bottom. Bring it into view
  // when it is not, and move the focus to it when the focus was lost (the form was swapped) or the
  // view moved, so that a screen reader reads it and the keyboard goes on from there. A notice in
  // sight stays where it is (nothing jumps on a tablet); swaps nobody asked for (on load, polling)
  // move nothing, and neither does a late answer when the user has moved on to another field.
  var NOTICE = ".alert-error, .alert-ok, .alert[role=alert], .alert[role=status]";
  var seenNotices = new WeakSet();
  function markNotices() {
    document.querySelectorAll(NOTICE).forEach(function (el) { seenNotices.add(el); });
  }
  function askedByUser(detail) {
    var cfg = detail && detail.requestConfig;
    var ev = cfg && cfg.triggeringEvent;
    return !!ev && ["submit", "click", "change"].indexOf(ev.type) >= 0;
  }
  document.addEventListener("DOMContentLoaded", markNotices);
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (askedByUser(event.detail)) { markNotices(); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!askedByUser(event.detail)) { return; }
    var fresh = Array.prototype.filter.call(document.querySelectorAll(NOTICE), function (el) {
      return !seenNotices.has(el) && el.getClientRects().length > 0;
    });
    markNotices();
    if (!fresh.length) { return; }
    var notice = fresh.filter(function (el) {
      return el.getAttribute("role") === "alert" || el.classList.contains("alert-error");
    })[0] || fresh[0];
    var box = notice.getBoundingClientRect();
    var inSight = box.top >= 0 && box.bottom <= (window.innerHeight || document.documentElement.clientHeight);
    var active = document.activeElement;
    var lost = !active || active === document.body;
    // The user moved on while the request ran (typing in another field): leave the view and the
    // focus where they are; the notice's role (alert, status) still has it read out.
    var cfg = event.detail.requestConfig;
    var sender = cfg && cfg.elt;
    var form = sender && sender.closest ? sender.closest("form") : null;
    var stillThere = lost || active === sender || (sender && sender.contains && sender.contains(active)) ||
      (form && form.contains(active));
    if (!stillThere) { return; }
    if (!inSight) { notice.scrollIntoView({ block: "center" }); }
    if (!inSight || lost) {
      if (!notice.hasAttribute("tabindex")) { notice.setAttribute("tabindex", "-1"); }
      notice.focus({ preventScroll: true });
    }
  });
  // data-confirm on a form, or on the button that submits it: ask before submitting. A refusal
  // stops the event here, in the capture phase, before it reaches the form: htmx sends its request
  // from its own listener on the form, which a cancelled (defaultPrevented) event does not stop.
  // data-confirm-empty on a form asks only when none of its boxes is ticked (a blank ballot).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (!message && form.getAttribute && form.hasAttribute("data-confirm-empty") &&
        !form.querySelector("input:checked")) {
      message = form.getAttribute("data-confirm-empty");
    }
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // The phone's header: the site's name and a menu button; the links, the language switch and the
  // account fold under it (CSS shows the button only on narrow screens).
  var bar = document.querySelector(".topbar");
  var toggle = bar && bar.querySelector(".menu-toggle");
  if (toggle) {
    toggle.hidden = false;
    bar.classList.add("has-toggle");
    var setOpen = function (open) {
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () { setOpen(!bar.classList.contains("open")); });
    bar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("open")) { setOpen(false); toggle.focus(); }
    });
  }
})();
