// A staff home page's top ("today"): every few seconds the page asks the server for that
// part alone (home.today) and puts it in place when it changed: a child's call for an
// adult, a text to moderate, a concern. Not while the page is hidden or someone is on a
// button or link inside it (their place would be lost); a new call for an adult is also
// said to screen readers. Without this script the page is whole on load, with "Refresh".
(function () {
  "use strict";
  var holder = document.getElementById("today");
  if (!holder || !window.fetch) return;
  var url = holder.dataset.todayUrl;
  var seconds = parseInt(holder.dataset.refreshSeconds, 10) || 15;
  var news = document.getElementById("today-news");
  var shown = null;  // the fragment as last fetched, its one-off form tokens left out

  function same(html) {
    return html.replace(/name="csrf_token" value="[^"]*"/g, "");
  }

  function calls(root) {
    var top = root.querySelector("[data-calls]");
    return top ? parseInt(top.dataset.calls, 10) || 0 : 0;
  }

  function busy() {
    return document.hidden || holder.contains(document.activeElement);
  }

  function look() {
    if (busy()) return;
    fetch(url, { credentials: "same-origin", redirect: "manual" })
      .then(function (answer) {
        if (answer.type === "opaqueredirect") {
          window.location.reload();  // signed out: the page itself goes to the sign-in
          return null;
        }
        return answer.ok ? answer.text() : null;
      })
      .then(function (html) {
        if (html === null || same(html) === shown || busy()) return;
        var before = calls(holder);
        holder.innerHTML = html;
        shown = same(html);
        var top = holder.querySelector("[data-calls]");
        if (news && top && calls(holder) > before) news.textContent = top.dataset.callsNews;
      })
      .catch(function () {});
  }

  setInterval(look, seconds * 1000);
})();
