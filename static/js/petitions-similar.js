// Shows similar petitions while a citizen types the title. Optional: the form works without it.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var council = document.getElementById("council_code");
  var box = document.getElementById("similar");
  if (!title || !council || !box || !window.fetch) { return; }
  var timer = null, last = "";
  function lookup() {
    var text = title.value.trim();
    var key = council.value + "|" + text;
    if (!council.value || text.length < 3 || key === last) { return; }
    last = key;
    var url = title.getAttribute("data-similar-url") + "?council_code=" +
      encodeURIComponent(council.value) + "&title=" + encodeURIComponent(text);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* offline: the citizen can still send the form */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(lookup, 600); }
  title.addEventListener("input", later);
  council.addEventListener("change", later);
})();
