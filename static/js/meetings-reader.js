// Document reader: opens the viewer at #page=N (the assistant's citations link there), offers
// "go to page", lets the offline service worker serve this page when the network is down (it
// never stores confidential documents), and keeps confidential pages view-only.
(function () {
  "use strict";
  var article = document.querySelector(".reader");
  if (!article) { return; }
  var confidential = article.getAttribute("data-confidential") === "true";
  if (!confidential && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("/meetings/sw.js", { scope: "/meetings/" }).catch(function () {});
  }
  if (confidential) {
    // View-only: no context menu save, no drag-out of the text or the page images.
    article.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    article.addEventListener("dragstart", function (e) { e.preventDefault(); });
  }

  // The page image when the viewer shows pages, else that page of the text view. Every image
  // has its width and height, so the page's place is known before any image loads.
  function showPage(number) {
    var sheet = document.getElementById("sheet-" + number);
    var target = sheet || document.getElementById("page-" + number);
    if (!target) { return false; }
    var image = sheet && sheet.querySelector("img");
    if (image) { image.loading = "eager"; }
    target.scrollIntoView({ block: "start" });
    return true;
  }

  function fromHash() {
    var match = /^#page=(\d{1,5})$/.exec(window.location.hash);
    if (match) { showPage(parseInt(match[1], 10)); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  var form = document.querySelector(".goto-page");
  if (form) {
    form.hidden = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = parseInt(form.querySelector("input").value, 10);
      if (value) { window.location.hash = "page=" + value; }
    });
  }
})();
