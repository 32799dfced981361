// board's service worker (board/participate/queue.py serves it; offline.py says what is
// sealed how). It handles the child pages only: /join, /meeting, /help, /finish, and the
// look of them (styles, script, pictures), and the audio they play (/audio/). Every other page and every API call passes
// through untouched, and no page made by the server is ever kept.
//
// When the network is gone:
// - a page that does not come shows the calm offline page in the child's language;
// - a form a child sends (an answer, an idea, a vote, a help call, "I am finished") is kept
//   in IndexedDB, encrypted to the server's public key (ECDH P-256 + HKDF + AES-GCM): the
//   tablet throws its half of the key away, so nothing on the tablet can read it again;
// - kept forms are sent in order when the network is back, each exactly once (a random id
//   the server remembers), then deleted;
// - "I am finished" kept so ends the session on the server before any child page is asked
//   for again: the next child can never come into the last one's session.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL = {{ look|tojson }};
const PAGES = {{ pages|tojson }};
const KEY = {{ key|tojson }};
const CACHE = "board-shell-" + VERSION;
// Audio a child played (board/voice): its own cache, kept across versions (an address names
// one content for ever), so a second play, or a tablet without network, needs no request.
const AUDIO = "board-audio-v1";
const CHILD = /^\/(join(\/|$)|meeting(\/|$)|help$|finish$)/;
const ANSWER = /^\/meeting\/(services\/\d+|propose|vote)$/;
const INFO = new TextEncoder().encode("board offline queue v1");
const ASSOCIATED = new TextEncoder().encode("board-queue-v1");

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // Without the cookie: what is kept is the same for every child.
      .then((cache) => cache.addAll([...SHELL, ...PAGES].map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE && name !== AUDIO) await caches.delete(name);
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.method === "GET" && url.pathname.startsWith("/audio/")) {
    event.respondWith(audio(url));
    return;
  }
  if (request.method === "GET" && url.pathname.startsWith("/join/offline/")) {
    event.respondWith(offlinePage(null, url.pathname.split("/")[3]));
    return;
  }
  if (request.mode !== "navigate" || !CHILD.test(url.pathname)) return;
  event.respondWith(request.method === "POST" ? post(event, url.pathname) : get(event));
});

// Cache first: the whole file, asked for without the cookie and without the player's range
// (a cache keeps whole answers only); only audio answers are kept, never a page.
async function audio(url) {
  const cache = await caches.open(AUDIO);
  const key = new Request(url.href, { credentials: "omit" });
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(key);
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 200 && type.startsWith("audio/")) await cache.put(key, response.clone());
  return response;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "page") {
    const meta = { lang: data.lang, idle: data.idle, helpPass: data.helpPass || null, finishPass: data.finishPass || null };
    event.waitUntil(setMeta(meta).then(flush));
  } else if (data.type === "flush") {
    event.waitUntil(flush());
  } else if (data.type === "status" && event.source) {
    event.waitUntil(Promise.all([all(), getMeta()]).then(([items, meta]) => {
      const waiting = items.some((item) => item.key === data.item);
      const result = (meta.results || {})[data.item] || "taken";
      event.source.postMessage({ type: waiting ? "waiting" : "sent", item: data.item, result });
    }));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "board-queue") {
    event.waitUntil(flush().then(all).then((items) => { if (items.length) throw new Error("still waiting"); }));
  }
});

// Pages ------------------------------------------------------------------------------------

async function get(event) {
  if (await finishWaiting()) {
    // The last child said "I am finished" without a network: their session ends on the
    // server first, or no child page is shown at all. (The navigation preload is off
    // meanwhile, so no page goes out with their cookie; one already under way is never
    // shown.)
    event.preloadResponse.catch(() => {});
    await flush();
    if (await finishWaiting()) return offlinePage("finished");
    try {
      return await fetch(event.request);
    } catch (error) {
      return offlinePage("waiting");
    }
  }
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    flush();
    return response;
  } catch (error) {
    return offlinePage("waiting");
  }
}

function kindOf(path) {
  if (path === "/finish") return "finish";
  if (path === "/help") return "help";
  if (ANSWER.test(path)) return "answer";
  return null;
}

async function post(event, path) {
  const form = await event.request.clone().formData();
  const meta = await getMeta();
  const token = form.get("csrf_token") || "";
  // The offline page's own buttons carry the random number the worker wrote into that page
  // (a page of another site cannot know it): they go through the queue, with the session's
  // passes. Every other form carries the server's token and goes to the network first.
  const fromOfflinePage = Boolean(meta.nonce) && token === meta.nonce;
  if (token && !fromOfflinePage) {
    try {
      return await fetch(event.request);
    } catch (error) { /* no network: keep it */ }
  }
  const kind = kindOf(path);
  if (!token || !kind || form.get("adjust")) return offlineRedirect(meta, "waiting");
  const fields = [];
  for (const [name, value] of form) {
    if (typeof value === "string" && !["csrf_token", "finish", "finish_pass"].includes(name)) fields.push([name, value]);
  }
  if (!form.get("pass")) {
    const fallback = !fromOfflinePage ? null : kind === "help" ? meta.helpPass : kind === "finish" ? meta.finishPass : null;
    if (!fallback) {
      // No session any more (it finished): a help call is still told to wave, and
      // "I am finished" has nothing left to end.
      const state = fromOfflinePage ? { finish: "finished", help: "help" }[kind] : null;
      return offlineRedirect(meta, state || "waiting");
    }
    fields.push(["pass", fallback]);
  }
  const item = await put(path, fields);
  const finishing = kind === "finish" || form.get("finish");
  if (finishing) {
    const finishPass = kind === "finish" ? null : (form.get("finish_pass") || meta.finishPass);
    if (finishPass) await put("/finish", [["pass", finishPass]]);
    // Until it reaches the server, no page may go out with this child's cookie.
    if (self.registration.navigationPreload) await self.registration.navigationPreload.disable();
    await setMeta({ helpPass: null, finishPass: null });
  }
  if (self.registration.sync) self.registration.sync.register("board-queue").catch(() => {});
  await flush();  // a link that only flickered may take it at once
  const result = (await all()).some((kept) => kept.key === item) ? "kept" : ((await getMeta()).results || {})[item];
  if (finishing) {
    if (!(await finishWaiting())) {
      return Response.redirect("/join?done=1" + (kind === "answer" && result === "taken" ? "&sent=1" : ""), 303);
    }
    return offlineRedirect(meta, "finished");
  }
  if (kind === "help") {
    // Only a call the server took says "an adult is coming"; any other says to wave.
    return result === "taken" ? Response.redirect("/help", 303) : offlineRedirect(meta, "help");
  }
  if (result === "taken") return Response.redirect("/meeting/thanks", 303);
  return offlineRedirect(meta, result === "refused" ? "refused" : "saved", item);
}

function language(meta) {
  const known = PAGES.map((page) => page.split("/")[3]);
  return known.includes(meta.lang) ? meta.lang : known[0];
}

function offlineRedirect(meta, state, item) {
  let address = "/join/offline/" + language(meta) + "?state=" + state;
  if (item !== undefined) address += "&item=" + item;
  return Response.redirect(address, 303);
}

async function offlinePage(state, lang) {
  const meta = await getMeta();
  const wanted = "/join/offline/" + (lang || language(meta));
  const kept = (await caches.match(wanted, { ignoreSearch: true })) || (await caches.match(PAGES[0]));
  if (!kept) return Response.error();
  let html = await kept.text();
  const idle = parseInt(meta.idle, 10);
  if (idle >= 60) html = html.replace('data-idle-seconds="180"', 'data-idle-seconds="' + idle + '"');
  const waiting = (await all()).length;
  let attributes = 'data-offline-page data-kept="' + (waiting ? 1 : 0) + '"';
  if (state) attributes += ' data-default-state="' + state + '"';
  html = html.replace("data-offline-page", attributes);
  // The page's buttons ("I want to talk to an adult", "I am finished") carry this number
  // back: the worker then knows the form is its own page's, not another site's.
  const nonce = randomId();
  await setMeta({ nonce });
  html = html.split('name="csrf_token" value=""').join('name="csrf_token" value="' + nonce + '"');
  return new Response(html, { status: 200, headers: kept.headers });
}

// The queue --------------------------------------------------------------------------------

let flushing = null;

function flush() {
  if (!flushing) flushing = sendAll().finally(() => { flushing = null; });
  return flushing;
}

async function sendAll() {
  const items = await all();
  if (!items.length) return;
  // First say how many wait: the room screen counts this tablet while they go.
  if ((await send({ ping: true, envelope: items[0].envelope, left: items.length })) === "offline") return;
  for (let index = 0; index < items.length; index++) {
    const left = items.length - index - 1;
    const result = await send({ envelope: items[index].envelope, left });
    if (result === "offline" || result === "later") return;  // in order: the rest waits
    await remove(items[index].key);
    const windows = await self.clients.matchAll({ type: "window" });
    await remember(items[index].key, result);
    windows.forEach((client) => client.postMessage({ type: "sent", item: items[index].key, result }));
  }
  if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
}

// What became of the last few sent (taken, or refused for good), for their pages to say.
async function remember(key, result) {
  await changeMeta((meta) => {
    const results = Object.assign({}, meta.results, { [key]: result });
    const keys = Object.keys(results).map(Number).sort((a, b) => a - b);
    keys.slice(0, Math.max(0, keys.length - 20)).forEach((old) => { delete results[old]; });
    return Object.assign(meta, { results });
  });
}

async function send(body) {
  let response;
  try {
    response = await fetch("/meeting/queue", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    return "offline";
  }
  if (response.ok) return "taken";
  if (response.status === 408 || response.status === 429 || response.status >= 500) return "later";
  return "refused";  // never to be taken (the meeting is over, the form is not right)
}

async function finishWaiting() {
  return (await all()).some((item) => item.finish);
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes) {
  let text = "";
  new Uint8Array(bytes).forEach((b) => { text += String.fromCharCode(b); });
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
}

async function seal(content) {
  const server = await crypto.subtle.importKey("raw", fromBase64url(KEY), { name: "ECDH", namedCurve: "P-256" }, false, []);
  const mine = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const point = new Uint8Array(await crypto.subtle.exportKey("raw", mine.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: server }, mine.privateKey, 256);
  const material = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: point, info: INFO },
    material, { name: "AES-GCM", length: 256 }, false, ["encrypt"]
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: ASSOCIATED }, key, new TextEncoder().encode(JSON.stringify(content))
  ));
  const joined = new Uint8Array(point.length + iv.length + sealed.length);
  joined.set(point, 0);
  joined.set(iv, point.length);
  joined.set(sealed, point.length + iv.length);
  return base64url(joined);
}

// IndexedDB: "items" (the sealed forms, in order) and "meta" (the page's language and idle
// time, the current session's passes for help and "I am finished", the offline page's
// random number, what became of the last few sent). Nothing a child wrote is ever in it
// unsealed.

function database() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("board-queue", 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore("items", { keyPath: "key", autoIncrement: true });
      opening.result.createObjectStore("meta");
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function transact(store, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    let result;
    Promise.resolve(work(tx.objectStore(store))).then((value) => { result = value; });
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error || new Error("aborted")); };
  });
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Padded to a whole number of kilobytes: the length of what waits tells nothing of how much
// a child wrote.
function padded(content) {
  const length = new TextEncoder().encode(JSON.stringify(content)).length;
  const size = Math.ceil((length + 16) / 1024) * 1024;
  return Object.assign(content, { pad: "x".repeat(size - length - 10) });
}

async function put(path, fields) {
  const envelope = await seal(padded({ id: randomId(), path, fields }));
  return transact("items", "readwrite", (store) => request(store.add({ envelope, finish: path === "/finish" })));
}

function all() {
  return transact("items", "readonly", (store) => request(store.getAll()));
}

function remove(key) {
  return transact("items", "readwrite", (store) => request(store.delete(key)));
}

async function getMeta() {
  return (await transact("meta", "readonly", (store) => request(store.get("state")))) || {};
}

// Read and written in one transaction: a page's message and a send at the same moment
// cannot write back each other's old values.
function changeMeta(change) {
  return transact("meta", "readwrite", (store) => new Promise((resolve, reject) => {
    const reading = store.get("state");
    reading.onsuccess = () => {
      const writing = store.put(change(reading.result || {}), "state");
      writing.onsuccess = () => resolve();
      writing.onerror = () => reject(writing.error);
    };
    reading.onerror = () => reject(reading.error);
  }));
}

function setMeta(values) {
  return changeMeta((meta) => Object.assign(meta, values));
}
