// Pages that wait for someone else: a tablet at the door, the facilitator's door page.
// Every few seconds the page asks the server for itself, in the background, and reloads
// only when it changed (a new tablet waiting, one let in) or sends elsewhere (the tablet
// is in): no reload under a reader or a screen reader while nothing happens, and none
// while someone types. An addition: each page has a "Look again" link that does the same.
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh-seconds]");
  if (!holder || !window.fetch || !window.DOMParser) return;
  var seconds = parseInt(holder.dataset.refreshSeconds, 10) || 10;
  var version = holder.dataset.version || "";

  function busy() {
    var active = document.activeElement;
    var speaking = "speechSynthesis" in window && window.speechSynthesis.speaking;
    return document.hidden || speaking ||
      (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }

  function look() {
    if (busy()) return;
    fetch(window.location.href, { credentials: "same-origin", redirect: "manual" })
      .then(function (answer) {
        if (answer.type === "opaqueredirect") {
          window.location.reload();  // follows the server to where it now sends this page
          return null;
        }
        return answer.ok ? answer.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-refresh-seconds]");
        if (next && (next.dataset.version || "") !== version && !busy()) {
          window.location.reload();
        }
      })
      .catch(function () {});
  }

  setInterval(look, seconds * 1000);
})();
