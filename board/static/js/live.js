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
        var ballot = root.dataset.ballot || "";
        if (data.state !== "open" || data.help_calls.length !== helpCount ||
            (data.ballot || "") !== ballot) {
          window.location.reload();
          return;
        }
        ["attendance", "answers", "votes", "waiting"].forEach(function (name) {
          document.querySelectorAll("[data-live=" + name + "]").forEach(function (el) {
            el.textContent = String(data[name]);
          });
        });
      })
      .catch(function () {});
  }
  setInterval(poll, 4000);
})();
