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

  function start() {
    setUpIdle();
    setUpCounters();
    setUpDots();
    if ("speechSynthesis" in window) {
      if (window.speechSynthesis.getVoices().length) setUpReadAloud();
      else window.speechSynthesis.addEventListener("voiceschanged", setUpReadAloud, { once: true });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
