// Child pages. Everything here is an addition: the pages work without it.
// 1. Read-aloud with the device's own voices only (never a remote speech service), and only
//    the interface's prompts, never a child's own text.
// 2. The idle reset: warn, offer "Yes, I am here", then start over for the next child.
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

  function setUpReadAloud() {
    document.querySelectorAll("button.read-aloud").forEach(function (button) {
      var target = document.getElementById(button.dataset.read);
      var lang = button.dataset.lang || document.documentElement.lang;
      var voice = localVoice(lang);
      if (!target || !voice) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        window.speechSynthesis.cancel();
        var utterance = new SpeechSynthesisUtterance(target.innerText);
        utterance.voice = voice;
        utterance.lang = voice.lang;
        window.speechSynthesis.speak(utterance);
      });
    });
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
      resetTimer = setTimeout(function () { form.submit(); }, resetAfter);
    }

    function stillHere() {
      if (!dialog.hidden) return;
      schedule();
    }

    document.getElementById("idle-continue").addEventListener("click", function () {
      dialog.hidden = true;
      // Tell the server too, so its own idle check starts again.
      fetch(window.location.href, { credentials: "same-origin" }).catch(function () {});
      schedule();
    });
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, stillHere, { passive: true });
    });
    schedule();
  }

  function start() {
    setUpIdle();
    if ("speechSynthesis" in window) {
      if (window.speechSynthesis.getVoices().length) setUpReadAloud();
      else window.speechSynthesis.addEventListener("voiceschanged", setUpReadAloud, { once: true });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
