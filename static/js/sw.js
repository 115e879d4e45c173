// Service worker for offline reading (served at /meetings/sw.js, scope /meetings/).
// Caches public and internal documents of a session on request; never a confidential one.
"use strict";
var CACHE = "meetings-offline-v1";
var OFFLINE_PATHS = /^\/meetings\/(documents\/\d+(\/file)?|sessions\/\d+\/tablet)$/;
// The pages' own styles and scripts (listed in the session's manifest); their ?v= only busts
// the browser's cache, so one copy per path is kept.
var STATIC_PATHS = /^\/static\/(css|js|vendor)\/[\w.-]+$|^\/static\/favicon\.svg$/;

function offlinePath(path) {
  return OFFLINE_PATHS.test(path) || STATIC_PATHS.test(path);
}

function cacheable(response) {
  if (!response || !response.ok) { return false; }
  if ((response.headers.get("X-Confidentiality") || "") === "confidential") { return false; }
  if ((response.headers.get("Cache-Control") || "").indexOf("no-store") !== -1) { return false; }
  return true;
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache-session" || !Array.isArray(data.urls)) { return; }
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var saved = 0;
    var skipped = 0;
    // Documents since made confidential: no saved copy of them may stay.
    var forgotten = (Array.isArray(data.forget) ? data.forget : []).map(function (url) {
      return cache.delete(new URL(url, self.location.origin).pathname);
    });
    return Promise.all(forgotten.concat(data.urls.map(function (url) {
      var target = new URL(url, self.location.origin);
      var path = target.pathname;
      if (target.origin !== self.location.origin || !offlinePath(path)) {
        skipped += 1;
        return null;
      }
      return fetch(path + target.search, { credentials: "same-origin" }).then(function (response) {
        if (cacheable(response)) {
          if (!STATIC_PATHS.test(path)) { saved += 1; }  // the count shown is of pages and files
          return cache.put(path, response);
        }
        skipped += 1;
        return cache.delete(path);
      }).catch(function () { skipped += 1; });
    }))).then(function () {
      if (event.source) { event.source.postMessage({ type: "cached", saved: saved, skipped: skipped }); }
    });
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || !offlinePath(url.pathname)) { return; }
  var asset = STATIC_PATHS.test(url.pathname);
  event.respondWith(fetch(request).then(function (response) {
    if (!cacheable(response)) {
      // A document reclassified as confidential must not stay in the offline cache.
      caches.open(CACHE).then(function (cache) { cache.delete(url.pathname); });
      return response;
    }
    caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) {
        // Keep a saved copy fresh; a page with a query (another view of it) is not that copy.
        if (hit && (asset || !url.search)) { return cache.put(url.pathname, response.clone()); }
        return null;
      });
    });
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); })
      .then(function (hit) { return hit || Response.error(); });
  }));
});
