// artworx service worker: keeps "My sessions" and the session logs it lists openable offline.
// Served at /sw.js (scope "/") by artworx.views.service_worker. Network first, so a phone with a
// connection always sees the current log and files; the copies are for when the connection is gone.
"use strict";
var CACHE = "artworx-offline-v1";
var PAGES = /^\/programs\/sessions\/(\d+\/log\/)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function store(request, response) {
  // Only plain successful pages: never a redirect to the sign-in page in place of a log.
  if (response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }).then(function () {
      return response;
    });
  }
  return Promise.resolve(response);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") !== 0 && !PAGES.test(url.pathname)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    return store(request, response);
  }).catch(function () {
    return caches.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (hit) {
      return hit || Response.error();
    });
  }));
});

function keepCopy(path) {
  // Keep one page or file; for a page, answer the static files it refers to. A redirect (signed out)
  // is not followed: the sign-in page it leads to would set a new CSRF cookie behind the page the
  // person is signing in on, and their sign-in would be refused.
  return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    return store(new Request(path), response);
  }).then(function (response) {
    if (!PAGES.test(path) || !response.ok) { return []; }
    return response.clone().text().then(function (html) {
      var found = [];
      var pattern = /(?:src|href)="(\/static\/[^"]+)"/g;
      var match;
      while ((match = pattern.exec(html)) !== null) { found.push(match[1]); }
      return found;
    });
  }).catch(function () { return []; });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache") {
    var urls = (data.urls || []).filter(function (path) {
      return PAGES.test(path) || path.indexOf("/static/") === 0;
    });
    event.waitUntil(Promise.all(urls.map(keepCopy)).then(function (found) {
      // The files the kept pages load (scripts, styles) are kept too, or a log opened offline
      // would lose its "All present" button.
      var files = [];
      found.forEach(function (more) { files = files.concat(more || []); });
      return Promise.all(files.filter(function (path) { return urls.indexOf(path) === -1; }).map(keepCopy));
    }).then(function () {
      if (event.source) { event.source.postMessage({ type: "precached", count: urls.length }); }
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(CACHE));
  }
});
