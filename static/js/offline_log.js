// Attendance that survives a storefront's bad Wi-Fi.
//
// The service worker (/sw.js) keeps copies of "My sessions" and of the logs listed there, so they
// open without a connection. A log saved without a connection is kept on this phone (IndexedDB) with
// a key of its own, and sent when the connection returns; the server applies each key once, so a
// log sent twice (a reply lost on the way back) is saved once. A log that someone else changed in
// between is refused by the server and the page says so.
(function () {
  "use strict";
  var script = document.currentScript;
  var messages = document.querySelector("[data-offline-messages]");
  var statusBox = document.querySelector("[data-offline-status]");
  var form = document.querySelector("form[data-offline-log]");
  var DB_NAME = "artworx-offline";
  var STORE = "submissions";
  var NOTICES = "artworx-offline-notices";
  var flushing = false;

  function text(name) {
    var node = messages && messages.querySelector('[data-message="' + name + '"]');
    return node ? node.textContent.trim() : "";
  }

  function currentUser() {
    return messages ? messages.getAttribute("data-user") : "";
  }

  function say(lines, tone) {
    if (!statusBox) { return; }
    statusBox.textContent = "";
    lines.forEach(function (line) {
      var div = document.createElement("div");
      if (line.href) {
        var link = document.createElement("a");
        link.href = line.href;
        link.textContent = line.text;
        div.appendChild(link);
        if (line.after) { div.appendChild(document.createTextNode(" " + line.after)); }
      } else {
        div.textContent = line.text;
      }
      statusBox.appendChild(div);
    });
    statusBox.className = "alert alert-" + (tone || "warning") + (lines.length ? "" : " d-none");
  }

  // IndexedDB: one store of submissions waiting to be sent, by key. ------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function queued() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return (all || []).filter(function (entry) { return entry.user === currentUser(); });
    });
  }

  function keep(entry) { return withStore("readwrite", function (store) { return store.put(entry); }); }
  function forget(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }

  function notices() {
    try { return JSON.parse(localStorage.getItem(NOTICES) || "[]"); } catch (e) { return []; }
  }

  function addNotice(entry, message) {
    var all = notices();
    all.push({ user: entry.user, label: entry.label, url: entry.url, message: message });
    localStorage.setItem(NOTICES, JSON.stringify(all));
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return form.querySelector('[name="submission"]').value;  // the key the server gave this page
  }

  // Sending ---------------------------------------------------------------------------------------
  function send(entry, kept) {
    var body = new URLSearchParams();
    var headers = { Accept: "application/json" };
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    if (kept) { headers["X-Artworx-Kept"] = "1"; }  // the page says "sent" itself: no second message
    var request = { method: "POST", body: body, credentials: "same-origin", headers: headers };
    return fetch(entry.url, request).then(function (response) {
      if (response.redirected && response.url.indexOf(entry.url) === -1) {
        return { status: "login" };  // the sign-in expired: keep the log until they sign in again
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { return { status: "http", code: response.status }; }
      return response.json();
    });
  }

  function freshToken(entry) {
    // A sign-in since the page was kept changes the CSRF token: take the current one from the log.
    return fetch(entry.url, { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var match = html.match(/name="csrfmiddlewaretoken" value="([^"]+)"/);
      if (!match) { return false; }
      entry.fields = entry.fields.map(function (pair) {
        return pair[0] === "csrfmiddlewaretoken" ? [pair[0], match[1]] : pair;
      });
      return keep(entry).then(function () { return true; });
    });
  }

  function deliver(entry, retried) {
    return send(entry, true).then(function (outcome) {
      if (outcome.status === "saved") {
        var revision = form && form.querySelector('[name="revision"]');
        if (revision && entry.url === location.pathname) { revision.value = outcome.revision; }
        return forget(entry.key).then(function () { return "sent"; });
      }
      if (outcome.status === "conflict" || outcome.status === "refused") {
        addNotice(entry, outcome.message);
        return forget(entry.key).then(function () { return "refused"; });
      }
      if (outcome.status === "http" && outcome.code === 403 && !retried) {
        return freshToken(entry).then(function (ok) { return ok ? deliver(entry, true) : "login"; });
      }
      return outcome.status === "login" || outcome.code === 403 ? "login" : "later";
    });
  }

  function flush() {
    if (flushing || !navigator.onLine || !messages) { return Promise.resolve(); }
    flushing = true;
    return queued().then(function (entries) {
      if (!entries.length) { return []; }
      say([{ text: text("sending") }], "info");
      var results = [];
      return entries.reduce(function (chain, entry) {
        return chain.then(function (stop) {
          if (stop) { return stop; }
          return deliver(entry).then(function (result) {
            results.push(result);
            return result === "later" || result === "login";
          });
        });
      }, Promise.resolve(false)).then(function () { return results; });
    }).then(function (results) {
      flushing = false;
      if (results.indexOf("login") !== -1) { say([{ text: text("login") }]); return show(); }
      if (results.length && results.every(function (r) { return r === "sent"; })) {
        say([{ text: text("sent") }], "success");
        document.documentElement.setAttribute("data-offline-sent", String(results.length));
        return markCards();
      }
      return show();
    }, function () { flushing = false; return show(); });
  }

  // What the page says -----------------------------------------------------------------------------
  function markCards() {
    return queued().then(function (entries) {
      var waiting = {};
      entries.forEach(function (entry) { waiting[entry.url] = true; });
      document.querySelectorAll("a.session-card").forEach(function (card) {
        var badge = card.querySelector("[data-offline-badge]");
        var path = new URL(card.href, location.href).pathname;
        if (waiting[path] && !badge) {
          badge = document.createElement("span");
          badge.className = "badge text-bg-warning";
          badge.setAttribute("data-offline-badge", "");
          badge.textContent = text("badge");
          card.querySelector(".card-body").appendChild(badge);
        } else if (!waiting[path] && badge) {
          badge.remove();
        }
      });
      return entries;
    });
  }

  function show() {
    return markCards().then(function (entries) {
      var lines = [];
      if (!navigator.onLine) { lines.push({ text: text("offline") }); }
      if (entries.length) {
        lines.push({ text: text("pending") });
        entries.forEach(function (entry) { lines.push({ text: entry.label, href: entry.url }); });
      }
      var mine = notices().filter(function (n) { return n.user === currentUser(); });
      mine.forEach(function (n) { lines.push({ text: n.label, href: n.url, after: text("refused") + " " + n.message }); });
      if (mine.length) {
        localStorage.setItem(NOTICES, JSON.stringify(notices().filter(function (n) { return n.user !== currentUser(); })));
      }
      say(lines);
    });
  }

  // The log form: send now, or keep on the phone when there is no connection. -----------------------
  function onSubmit(event) {
    event.preventDefault();
    var entry = {
      key: newKey(),
      url: new URL(form.getAttribute("action") || location.pathname, location.href).pathname,
      user: currentUser(),
      label: form.getAttribute("data-session-label"),
      queuedAt: new Date().toISOString(),
      fields: [],
    };
    new FormData(form).forEach(function (value, name) {
      entry.fields.push([name, name === "submission" ? entry.key : value]);
    });
    function keepForLater() {
      // A second save of the same log while offline replaces the first: the latest marks win.
      return queued().then(function (entries) {
        return Promise.all(entries.filter(function (other) { return other.url === entry.url; }).map(function (other) {
          return forget(other.key);
        }));
      }).then(function () { return keep(entry); }).then(function () {
        say([{ text: text("queued") }]);
        document.documentElement.setAttribute("data-offline-queued", entry.key);
      });
    }
    if (!navigator.onLine) { keepForLater(); return; }
    // One save at a time: a second tap while this one travels would read as someone else's save.
    var button = form.querySelector('[type="submit"]');
    if (button.disabled) { return; }
    button.disabled = true;
    send(entry).then(function (outcome) {
      if (outcome.status === "saved") {
        location.assign(messages.getAttribute("data-my-sessions"));
      } else {
        form.submit();  // let the server show what is wrong, as without this script
      }
    }, function () {
      button.disabled = false;
      return keepForLater();  // the request never reached the server: keep it and send it later
    });
  }

  // Start -------------------------------------------------------------------------------------------
  if ("serviceWorker" in navigator && script) {
    var worker = script.getAttribute("data-service-worker");
    if (document.querySelector("[data-offline-forget]")) {
      // The sign-in page: whoever signs in next must not find the last person's pages on this phone.
      navigator.serviceWorker.getRegistration(worker).then(function (registration) {
        if (registration && registration.active) { registration.active.postMessage({ type: "forget" }); }
      });
    } else if (messages) {
      navigator.serviceWorker.register(worker, { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        var urls = [location.pathname];
        document.querySelectorAll("a.session-card").forEach(function (card) {
          if (card.getAttribute("href") !== "#") { urls.push(new URL(card.href, location.href).pathname); }
        });
        document.querySelectorAll('link[rel="stylesheet"], script[src], link[rel="manifest"]').forEach(function (node) {
          urls.push(new URL(node.getAttribute("href") || node.getAttribute("src"), location.href).pathname);
        });
        navigator.serviceWorker.addEventListener("message", function (event) {
          if (event.data && event.data.type === "precached") {
            document.documentElement.setAttribute("data-offline-ready", "true");
            var note = document.querySelector("[data-offline-ready-note]");
            if (note) { note.classList.remove("d-none"); }
          }
        });
        registration.active.postMessage({ type: "precache", urls: urls });
      }).catch(function () { /* no offline copies: the app still works online */ });
    }
  }
  if (messages && window.indexedDB) {
    if (form) { form.addEventListener("submit", onSubmit); }
    window.addEventListener("online", function () { show().then(flush); });
    window.addEventListener("offline", show);
    show().then(flush);
  }
})();
