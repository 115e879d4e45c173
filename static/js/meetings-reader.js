// Document reader: lets the offline service worker serve this page when the network is down
// (it never stores confidential documents), and keeps private notes from being lost on reload.
(function () {
  "use strict";
  var article = document.querySelector(".reader");
  if (!article) { return; }
  if (article.getAttribute("data-confidential") !== "true" && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("/meetings/sw.js", { scope: "/meetings/" }).catch(function () {});
  }
  if (article.getAttribute("data-confidential") === "true") {
    // View-only: no context menu save, no drag-out of the text.
    article.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    article.addEventListener("dragstart", function (e) { e.preventDefault(); });
  }
})();

// The assistant's citations link to "#page=N" (the viewer's convention): scroll the text view
// to that page, on load and when the address changes.
(function () {
  "use strict";
  function toPage() {
    var match = /^#page=(\d{1,5})$/.exec(window.location.hash);
    var target = match && document.getElementById("page-" + match[1]);
    if (target) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", toPage);
  toPage();
})();
