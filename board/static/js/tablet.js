// Child pages. Everything here is an addition: the pages work without it.
// 1. Read-aloud of the interface's words, never a child's own text: the board's recording,
//    else the device's own voice, else the audio this server synthesised (board/voice);
//    never a remote speech service. A tile's speaker, a face tapped, "Read this page".
// 2. The idle reset: warn, offer "Yes, I am here", then start over for the next child
//    (sending first an answer the child began).
(function () {
  "use strict";

  function localVoice(lang) {
    if (!("speechSynthesis" in window)) return null;
    var wanted = (lang || "en").toLowerCase();
    var base = wanted.split("-")[0];
    var voices = window.speechSynthesis.getVoices().filter(function (v) { return v.localService; });
    return voices.find(function (v) { return v.lang.toLowerCase() === wanted; }) ||
      voices.find(function (v) { return v.lang.toLowerCase().split(/[-_]/)[0] === base; }) || null;
  }

  // What is playing: one thing at a time; a new play (or "Stop") ends it.
  var playing = { run: 0, audio: null };

  function stopPlaying() {
    playing.run += 1;
    if (playing.audio) { playing.audio.pause(); playing.audio = null; }
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    document.querySelectorAll("[data-playing]").forEach(function (b) {
      delete b.dataset.playing;
      b.setAttribute("aria-pressed", "false");
    });
  }

  // Fetched only now, on play: no page carries audio until a child asks for it (the
  // service worker keeps what was played, for the next time and for no network).
  function playUrl(url, run) {
    return new Promise(function (resolve, reject) {
      if (run !== playing.run) return resolve();
      var audio = new Audio();
      audio.preload = "none";
      playing.audio = audio;
      audio.addEventListener("ended", function () { resolve(); });
      audio.addEventListener("error", function () { reject(new Error("audio")); });
      audio.src = url;
      audio.play().catch(reject);
    });
  }

  function speakLocally(text, voice, run) {
    return new Promise(function (resolve) {
      if (run !== playing.run) return resolve();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.onend = utterance.onerror = function () { resolve(); };
      window.speechSynthesis.speak(utterance);
    });
  }

  function langOf(element) {
    var holder = element.closest("[lang]");
    return (holder && holder.getAttribute("lang")) || document.documentElement.lang;
  }

  // One text: the board's recording, else the device's own voice, else the server's.
  function playOne(element, run) {
    var recorded = element.dataset.audioRec;
    var made = element.dataset.audio;
    var text = (element.innerText || element.textContent || "").trim();
    var voice = localVoice(langOf(element));
    function fallback() {
      if (voice && text) return speakLocally(text, voice, run);
      if (made) return playUrl(made, run).catch(function () {});
      return Promise.resolve();
    }
    if (recorded) return playUrl(recorded, run).catch(fallback);
    return fallback();
  }

  function playAll(elements, button) {
    stopPlaying();
    var run = playing.run;
    if (button) { button.dataset.playing = "1"; button.setAttribute("aria-pressed", "true"); }
    return elements.reduce(function (done, element) {
      return done.then(function () { if (run === playing.run) return playOne(element, run); });
    }, Promise.resolve()).then(function () {
      if (run === playing.run) stopPlaying();
    });
  }

  function speakable(element) {
    return Boolean(element.dataset.audio || element.dataset.audioRec || localVoice(langOf(element)));
  }

  // The texts a button reads: its target, or the texts marked inside it, in order.
  function textsOf(target) {
    if (target.matches("[data-speak]")) return [target];
    return Array.prototype.filter.call(target.querySelectorAll("[data-speak]"), function (e) {
      return !e.closest("[hidden]") && !e.closest("button.read-aloud");
    });
  }

  function setUpReadAloud() {
    document.querySelectorAll("button.read-aloud").forEach(function (button) {
      if (button.dataset.ready) return;
      // "Read this page" reads it all in order: the top bar's two buttons, the page, the helpline.
      var target = button.dataset.read ? document.getElementById(button.dataset.read) : document.body;
      if (!target) return;
      var texts = textsOf(target);
      if (!texts.length || !texts.some(speakable)) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        if (button.dataset.playing) return stopPlaying();
        playAll(textsOf(target).filter(speakable), button);
      });
    });
    // A face says its word as the child taps it (and is chosen too).
    document.querySelectorAll(".face").forEach(function (face) {
      if (face.dataset.ready) return;
      var word = face.querySelector("[data-speak]");
      if (!word || !speakable(word)) return;
      face.dataset.ready = "1";
      face.addEventListener("click", function (event) {
        if (event.target.tagName === "INPUT") return;  // the label's own click, passed on
        playAll([word], null);
      });
    });
  }
  // A form the child began: a face chosen, a word written, a tick or a dot given.
  function started(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "radio" || field.type === "checkbox") return field.checked;
      if (field.dataset && field.dataset.dotsFor) return (parseInt(field.value, 10) || 0) > 0;
      if (field.type === "text" || field.tagName === "TEXTAREA") return field.value.trim() !== "";
      return false;
    });
  }

  function hiddenField(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  // The idle time is over: an answer the child began is sent (or kept on the tablet to
  // send) before the tablet starts again; an untouched form is simply dropped.
  function reset(finish) {
    var begun = document.querySelector("form[data-offline='answer']");
    if (begun && started(begun)) {
      hiddenField(begun, "finish", "1");
      var finishPass = finish.querySelector("input[name='pass']");
      if (finishPass) hiddenField(begun, "finish_pass", finishPass.value);
      // (its "Send" button is named "submit", which hides the form's own submit())
      HTMLFormElement.prototype.submit.call(begun);
    } else {
      HTMLFormElement.prototype.submit.call(finish);
    }
  }

  function setUpIdle() {
    var seconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
    var dialog = document.getElementById("idle-warning");
    var form = document.getElementById("finish-form");
    if (!seconds || !dialog || !form) return;
    var warnAfter = Math.max(seconds - 30, Math.floor(seconds / 2)) * 1000;
    var resetAfter = seconds * 1000;
    var warnTimer, resetTimer;

    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(resetTimer);
      warnTimer = setTimeout(function () {
        dialog.hidden = false;
        document.getElementById("idle-continue").focus();
      }, warnAfter);
      resetTimer = setTimeout(function () { reset(form); }, resetAfter);
    }

    // Tell the server too, now and then, so its own idle check (which sees only requests)
    // starts again with the page's: a child writing for long is not sent away on "Send".
    var told = Date.now();
    function tellServer(now) {
      if (!now && Date.now() - told < 30000) return;
      told = Date.now();
      fetch("/meeting/here", { credentials: "same-origin", cache: "no-store" }).catch(function () {});
    }

    function stillHere() {
      if (!dialog.hidden) return;
      tellServer(false);
      schedule();
    }

    document.getElementById("idle-continue").addEventListener("click", function () {
      dialog.hidden = true;
      tellServer(true);
      schedule();
    });
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, stillHere, { passive: true });
    });
    schedule();
  }

  // 3. A counter under each text box: how many letters are left.
  function setUpCounters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (box) {
      var out = document.getElementById(box.dataset.counter);
      var max = parseInt(box.getAttribute("maxlength") || "0", 10);
      if (!out || !max) return;
      var template = out.dataset.template || "{n} / {max}";
      function update() {
        out.textContent = template.replace("{n}", box.value.length).replace("{max}", max);
      }
      box.addEventListener("input", update);
      update();
    });
  }

  // 4. Dots with + and - buttons, without a round trip to the server (it works without too).
  function setUpDots() {
    var form = document.querySelector(".vote-form[data-dots]");
    if (!form || !form.dataset.dots) return;
    var total = parseInt(form.dataset.dots, 10);
    var left = form.querySelector("[data-dots-left]");
    function used() {
      var sum = 0;
      form.querySelectorAll("input[data-dots-for]").forEach(function (i) { sum += parseInt(i.value, 10) || 0; });
      return sum;
    }
    form.querySelectorAll("button[data-dots-step]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var id = button.dataset.action;
        var input = form.querySelector("input[data-dots-for='" + id + "']");
        var value = parseInt(input.value, 10) || 0;
        var step = parseInt(button.dataset.dotsStep, 10);
        if (step > 0 && used() >= total) return;
        if (step < 0 && value <= 0) return;
        input.value = String(value + step);
        form.querySelector("[data-dots-count='" + id + "']").textContent = input.value;
        left.textContent = String(total - used());
      });
    });
  }

  // 5. Offline (the service worker, /sw.js): it keeps what a child sends without a network
  //    and sends it when the network is back. The page tells it the language to speak and
  //    the current session's passes for help and "I am finished"; asks it to try sending
  //    now and then; and on the offline page shows which message applies.
  function worker() {
    return "serviceWorker" in navigator && window.isSecureContext && window.crypto && window.crypto.subtle;
  }

  function tellWorker(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function passOf(selector) {
    var field = document.querySelector(selector + " input[name='pass']");
    return field ? field.value : null;
  }

  function setUpOffline() {
    if (!worker()) return;
    var page = document.querySelector("[data-offline-page]");
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    // What waits on the tablet is kept even when the browser runs short of space.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    if (!page) {
      tellWorker({
        type: "page",
        lang: document.body.dataset.lang || document.documentElement.lang.split("-")[0],
        idle: parseInt(document.body.dataset.idleSeconds || "0", 10),
        helpPass: passOf("form[data-offline='help']"),
        finishPass: passOf("form[data-offline='finish']"),
      });
    } else {
      showOfflineState(page);
    }
    function again() { tellWorker({ type: "flush" }); }
    window.addEventListener("online", again);
    setInterval(again, 15000);
  }

  function showOfflineState(page) {
    var query = new URLSearchParams(window.location.search);
    var state = query.get("state") || page.dataset.defaultState || "waiting";
    var item = parseInt(query.get("item") || "", 10);
    function show(name) {
      page.dataset.shown = name;
      page.querySelectorAll("[data-state]").forEach(function (part) {
        part.hidden = part.dataset.state !== name;
      });
    }
    show(state);
    if (page.dataset.kept === "0") {
      page.querySelectorAll("[data-kept-note]").forEach(function (note) { note.hidden = true; });
    }
    if (state === "finished") document.querySelector("[data-again]").setAttribute("href", "/join");
    if (state === "saved" && item) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        var data = event.data || {};
        if (data.type === "sent" && data.item === item) show(data.result === "refused" ? "refused" : "sent");
      });
      tellWorker({ type: "status", item: item });
    }
  }

  // 6. The next child sees nothing of the last one's: a page left (for an answer sent, "I
  //    am finished", the idle reset) keeps none of what was typed, and a page the browser
  //    would bring back from its memory with the back button is asked for again instead.
  function setUpForgetting() {
    window.addEventListener("pagehide", function () {
      document.querySelectorAll("form[data-offline='answer']").forEach(function (form) {
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field.type === "radio" || field.type === "checkbox") {
            field.checked = field.defaultChecked = false;
          } else if (field.type === "text" || field.tagName === "TEXTAREA") {
            // (a page sent back with an error holds the words as its own default)
            field.value = field.defaultValue = "";
          }
        });
      });
    });
    window.addEventListener("pageshow", function (event) {
      // Asked for anew (never sent again: a page that answered a form is not re-posted).
      if (event.persisted) window.location.replace(window.location.href);
    });
  }

  // 7. Focus kept in sight: Chromium leaves a half-visible field where it is when the Tab
  //    key reaches it; a child using keys (or a switch) must see the whole of it.
  //    Only for the keyboard: a tap that moved the page under the finger would miss.
  function setUpFocusInSight() {
    var byKey = false;
    document.addEventListener("keydown", function (event) { byKey = event.key === "Tab"; }, true);
    document.addEventListener("pointerdown", function () { byKey = false; }, true);
    document.addEventListener("focusin", function (event) {
      if (!byKey) return;
      var box = event.target.getBoundingClientRect();
      if (box.height < 2) return;
      if (box.top < 0 || box.bottom > window.innerHeight) event.target.scrollIntoView({ block: "center" });
    });
  }

  function start() {
    setUpFocusInSight();
    setUpOffline();
    setUpForgetting();
    setUpIdle();
    setUpCounters();
    setUpDots();
    setUpReadAloud();
    // The device's voices may come later: buttons for texts only they can say appear then.
    if ("speechSynthesis" in window) {
      window.speechSynthesis.addEventListener("voiceschanged", setUpReadAloud);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
