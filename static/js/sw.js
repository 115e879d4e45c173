// Service worker for offline reading (served at /meetings/sw.js, scope /meetings/).
// Caches public and internal documents of a session on request; never a confidential one, and
// never a reader's private notes: pages that show them are no-store, and their copy for offline
// reading (?offline=1, without them) is what is saved under their path.
"use strict";
var CACHE = "meetings-offline-v1";
var OFFLINE_PATHS = /^\/meetings\/(documents\/\d+(\/file|\/pages\/\d+\.webp)?|sessions\/\d+\/tablet)$/;
// The pages' own styles and scripts (listed in the session's manifest), under content-hashed
// names (app.3f2a1b9c0d.css). One copy of each file is kept, under its plain name: a new release's
// copy replaces the old one, and while offline a page saved with another release's names still
// gets the styles and scripts of this device's copy.
var STATIC_PATHS = /^\/static\/(css|js|vendor)\/[\w.-]+$|^\/static\/favicon(\.[0-9a-f]{10})?\.svg$/;
var HASHED = /^(\/static\/.+)\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/;

function cacheKey(path) {
  var m = HASHED.exec(path);
  return m && STATIC_PATHS.test(path) ? m[1] + m[2] : path;
}

// A hashed name never changes content: the saved copy of that very name is served without asking.
function sameVersion(hit, path) {
  return !!hit && HASHED.test(path) && !!hit.url && new URL(hit.url).pathname === path;
}

function offlinePath(path) {
  return OFFLINE_PATHS.test(path) || STATIC_PATHS.test(path);
}

function confidential(response) {
  return (response.headers.get("X-Confidentiality") || "") === "confidential";
}

function cacheable(response) {
  if (!response || !response.ok || response.redirected || confidential(response)) { return false; }
  return (response.headers.get("Cache-Control") || "").indexOf("no-store") === -1;
}

// The page may no longer be read from this device: made confidential, no longer readable.
function refused(response) {
  return confidential(response) || [401, 403, 404, 410].indexOf(response.status) !== -1;
}

// A page shown online with private notes (no-store) is saved again from its offline copy, only
// when the document has changed since the copy was saved.
function refreshCopy(cache, path, hit, response) {
  var version = response.headers.get("X-Offline-Version");
  if (!version || hit.headers.get("X-Offline-Version") === version) { return null; }
  return fetch(path + "?offline=1", { credentials: "same-origin" }).then(function (copy) {
    return cacheable(copy) ? cache.put(path, copy) : null;
  });
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
      return cache.delete(cacheKey(new URL(url, self.location.origin).pathname));
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
          return cache.put(cacheKey(path), response);
        }
        skipped += 1;
        return cache.delete(cacheKey(path));
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
  var key = cacheKey(url.pathname);
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(key).then(function (hit) {
      if (asset && sameVersion(hit, url.pathname)) { return hit; }
      return fetch(request).then(function (response) {
        if (!hit || response.redirected) { return response; }
        if (refused(response)) {
          cache.delete(key);
        } else if (asset || !url.search) {
          // Keep a saved copy fresh; a page with a query (another view of it) is not that copy.
          if (cacheable(response)) {
            cache.put(key, response.clone());
          } else if (response.ok) {
            refreshCopy(cache, key, hit, response);
          }
        }
        return response;
      }, function () {
        return hit || Response.error();
      });
    });
  }));
});
