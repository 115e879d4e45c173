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
