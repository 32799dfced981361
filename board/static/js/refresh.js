// Pages that wait for someone else (a tablet at the door, the facilitator's door page):
// look again every few seconds. An addition: each page has a link that does the same.
// Not while someone is typing or has a control focused, so nothing is lost under them.
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh-seconds]");
  if (!holder) return;
  var seconds = parseInt(holder.dataset.refreshSeconds, 10) || 10;
  function busy() {
    var active = document.activeElement;
    var speaking = "speechSynthesis" in window && window.speechSynthesis.speaking;
    return speaking || (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }
  setInterval(function () {
    if (!busy() && !document.hidden) window.location.reload();
  }, seconds * 1000);
})();
