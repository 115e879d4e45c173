// Offline reading on the tablet: a service worker caches the session's public and internal
// documents (the server's manifest never lists confidential ones, and the worker refuses any
// response marked confidential or no-store).
(function () {
  "use strict";
  var button = document.getElementById("offline-btn");
  var out = document.getElementById("offline-status");
  if (!button) { return; }
  if (!("serviceWorker" in navigator)) { button.disabled = true; return; }
  navigator.serviceWorker.register("/meetings/sw.js", { scope: "/meetings/" }).catch(function () {});
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "cached" && out) {
      out.textContent = button.getAttribute("data-done") + " (" + event.data.saved + ")";
    }
  });
  button.addEventListener("click", function () {
    fetch(button.getAttribute("data-manifest"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (manifest) {
        return navigator.serviceWorker.ready.then(function (reg) {
          reg.active.postMessage({ type: "cache-session", urls: manifest.urls, forget: manifest.forget });
        });
      })
      .catch(function () { if (out) { out.textContent = button.getAttribute("data-failed"); } });
  });
})();
