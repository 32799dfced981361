// Room screen and meeting page: refresh the counters every few seconds. Counts only.
// A new help call reloads the page, so that its "Done" button comes with a fresh form.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) return;
  var url = root.dataset.liveUrl;
  var helpCount = parseInt(root.dataset.helpCount || "0", 10);

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.state !== "open" || data.help_calls.length !== helpCount) {
          window.location.reload();
          return;
        }
        document.querySelectorAll("[data-live=attendance]").forEach(function (el) {
          el.textContent = String(data.attendance);
        });
      })
      .catch(function () {});
  }
  setInterval(poll, 4000);
})();
