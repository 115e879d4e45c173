// The assistant's summary, streamed into the page as the model writes it (Server-Sent Events
// read from a POST with fetch). Without fetch streaming the form posts normally and the server
// answers with the whole summary. Text is only ever inserted with textContent.
(function () {
  "use strict";

  function csrf() {
    return window.councilCsrfToken ? window.councilCsrfToken() : "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] !== undefined ? String(values[key]) : "";
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // While the text streams: the points as written, without the model's page tags.
  function renderLines(container, text) {
    container.textContent = "";
    text.split("\n").forEach(function (line) {
      var clean = line.replace(/\s*\[[^\[\]]{1,80}\]/g, "").replace(/^\s*#{1,6}\s+/, "").trim();
      if (clean) { container.appendChild(el("p", "", clean)); }
    });
  }

  // The machine-written label: the server's own markup (icon included), cloned.
  function machineLabel(data) {
    var template = document.getElementById("machine-label-template");
    var fragment = template.content.cloneNode(true);
    var source = fragment.querySelector(".machine-source");
    if (source) { source.textContent = data.provider + " · " + data.model; }
    return fragment;
  }

  function refs(parent, items) {
    (items || []).forEach(function (c) {
      parent.appendChild(document.createTextNode(" "));
      var link = el("a", "cite", c.reference);
      link.href = c.url;
      link.title = c.title;
      parent.appendChild(link);
    });
  }

  // The same layout as templates/assistant/_macros.html: headings, lists and paragraphs.
  function renderPoints(container, points) {
    var list = null;
    points.forEach(function (p) {
      var node;
      if (p.kind === "item") {
        if (!list) { list = el("ul", "points"); container.appendChild(list); }
        node = el("li", "", p.text);
        list.appendChild(node);
      } else {
        list = null;
        node = el(p.kind === "heading" ? "h3" : "p", p.kind === "heading" ? "point-heading" : "", p.text);
        container.appendChild(node);
      }
      refs(node, p.citations);
    });
  }

  function renderFinal(form, out, data) {
    out.textContent = "";
    var article = el("article", "assistant-summary");
    article.appendChild(machineLabel(data));
    if (data.notice) { article.appendChild(el("p", "alert alert-ok confidential-notice", data.notice)); }
    if (data.cached) { article.appendChild(el("p", "muted", form.getAttribute("data-cached"))); }
    var body = el("div", "assistant-text");
    renderPoints(body, data.points || []);
    article.appendChild(body);
    if (data.citations && data.citations.length) {
      article.appendChild(el("h3", "", form.getAttribute("data-sources")));
      var list = el("ol", "citations");
      data.citations.forEach(function (c) {
        var item = el("li");
        var link = el("a", "", c.reference);
        link.href = c.url;
        link.title = c.title;
        item.appendChild(link);
        item.appendChild(el("blockquote", "muted", c.excerpt));
        list.appendChild(item);
      });
      article.appendChild(list);
    }
    out.appendChild(article);
  }

  function showError(out, message) {
    out.textContent = "";
    var box = el("div", "alert alert-error", message);
    box.setAttribute("role", "alert");
    out.appendChild(box);
  }

  // Split a Server-Sent Events buffer into complete frames; return what is left over.
  function frames(buffer, onFrame) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (raw) {
      var name = "message";
      var data = [];
      raw.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).trim()); }
      });
      if (data.length) { onFrame(name, JSON.parse(data.join("\n"))); }
    });
    return rest;
  }

  function stream(form) {
    var out = document.getElementById(form.getAttribute("data-target"));
    var status = form.querySelector("[data-status]");
    var button = form.querySelector("button[type=submit]");
    var failed = form.getAttribute("data-failed");
    var written = "";
    var live = null;
    button.disabled = true;
    status.textContent = form.getAttribute("data-writing");
    out.textContent = "";
    out.setAttribute("aria-busy", "true");

    function onFrame(name, data) {
      if (name === "meta") {
        out.appendChild(machineLabel(data));
        if (data.notice) { out.appendChild(el("p", "alert alert-ok confidential-notice", data.notice)); }
        live = el("div", "assistant-text streaming");
        out.appendChild(live);
      } else if (name === "progress") {
        status.textContent = fill(form.getAttribute("data-progress"), data);
      } else if (name === "delta") {
        status.textContent = form.getAttribute("data-writing");
        written += data.text;
        if (live) { renderLines(live, written); }
      } else if (name === "done") {
        renderFinal(form, out, data);
        status.textContent = "";
      } else if (name === "error") {
        showError(out, data.message || failed);
        status.textContent = "";
      }
    }

    fetch("/api/v1/assistant/summaries/stream", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "text/event-stream" },
      body: JSON.stringify({ document_id: Number(form.getAttribute("data-stream-summary")) })
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) {
          throw new Error((body && body.error && body.error.message) || failed);
        }, function () { throw new Error(failed); });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder("utf-8");
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            frames(buffer + "\n\n", onFrame);
            return;
          }
          buffer = frames(buffer + decoder.decode(chunk.value, { stream: true }), onFrame);
          return pump();
        });
      }
      return pump();
    }).catch(function (error) {
      showError(out, error && error.message ? error.message : failed);
      status.textContent = "";
    }).then(function () {
      button.disabled = false;
      out.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-stream-summary")) { return; }
    if (!window.fetch || !window.ReadableStream || !window.TextDecoder) { return; }
    event.preventDefault();
    stream(form);
  });
})();
