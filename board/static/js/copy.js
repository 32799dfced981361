// "Copy the link" next to a read-only field: the clipboard where the browser allows it,
// else the field's text selected for the person to copy. Without scripts the button stays
// hidden and the field can be selected and copied by hand. What happened is said in a
// polite live region, for screen readers too.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  "use strict";
  var field = document.getElementById(button.dataset.copy);
  var status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
  if (!field || !status) return;
  button.hidden = false;

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);  // said again
  }

  function byHand() {
    field.focus();
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    say(copied ? button.dataset.copied : button.dataset.notCopied);
  }

  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button.dataset.copied);
      }, byHand);
    } else {
      byHand();
    }
  });
});
