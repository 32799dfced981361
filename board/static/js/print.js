// The "Print" button of a summary: shown only where scripts run (print works from the
// browser's menu everywhere; the print styles do the layout).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
