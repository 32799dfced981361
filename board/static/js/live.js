// Room screen and meeting page: refresh the counters every few seconds. Counts only.
// The room screen (projected) asks without help calls and reloads only when the meeting,
// its code or the vote changed. The meeting page (the facilitator's own) adds a help call
// as it arrives, from its <template>, and rings: a short tone made here (Web Audio), no
// file, nothing remote.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) return;
  var url = root.dataset.liveUrl;
  var calls = root.querySelector("[data-live=help-calls]");
  var template = document.getElementById("help-call-template");
  var audio = null;
  var rung = 0;

  // Browsers let a page make a sound only once someone touched it (or the page they came
  // from): a context made before that waits, suspended, until the first touch resumes it.
  function context() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  function ring() {
    var sound = context();
    rung += 1;
    root.dataset.rung = String(rung);  // what rang, and whether it could be heard
    root.dataset.sound = sound ? sound.state : "off";
    if (!sound) return;
    var start = sound.currentTime + 0.05;
    [880, 660].forEach(function (pitch, index) {
      var at = start + index * 0.3;
      var tone = sound.createOscillator();
      var volume = sound.createGain();
      tone.type = "sine";
      tone.frequency.value = pitch;
      volume.gain.setValueAtTime(0.0001, at);
      volume.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      tone.connect(volume);
      volume.connect(sound.destination);
      tone.start(at);
      tone.stop(at + 0.26);
    });
  }

  if (calls) {
    var check = root.querySelector(".sound-check");
    if (check) {
      check.hidden = false;
      check.querySelector("button").addEventListener("click", ring);
    }
    // The first touch of the page lets it ring later.
    ["pointerdown", "keydown"].forEach(function (name) {
      document.addEventListener(name, context, { once: true });
    });
  }

  function addCall(call) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.dataset.call = String(call.id);
    item.querySelector(".help-call-text").textContent =
      template.dataset.text.replace("{time}", call.time);
    item.querySelectorAll("form[data-url]").forEach(function (form) {
      form.action = call[form.dataset.url];
    });
    calls.insertBefore(item, calls.querySelector("[data-none]"));
  }

  function showCalls(list) {
    var open = {};
    var arrived = false;
    list.forEach(function (call) {
      open[call.id] = true;
      if (!calls.querySelector('[data-call="' + call.id + '"]')) {
        addCall(call);
        arrived = true;
      }
    });
    calls.querySelectorAll("[data-call]").forEach(function (item) {
      if (!open[item.dataset.call]) item.remove();  // handled on another screen
    });
    calls.querySelector("[data-none]").hidden = list.length > 0;
    if (arrived) ring();
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var ballot = root.dataset.ballot || "";
        var code = root.dataset.code;
        if (data.state !== "open" || (data.ballot || "") !== ballot ||
            (code !== undefined && data.code !== code)) {
          window.location.reload();
          return;
        }
        ["attendance", "answers", "votes", "waiting", "at_door"].forEach(function (name) {
          if (data[name] === undefined) return;
          document.querySelectorAll("[data-live=" + name + "]").forEach(function (el) {
            el.textContent = String(data[name]);
          });
        });
        if (calls && template && data.help_calls) showCalls(data.help_calls);
      })
      .catch(function () {});
  }
  setInterval(poll, 4000);
})();
