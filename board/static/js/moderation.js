// Moderation queue: words selected in a child's text go into "Other words to remove".
// Typing them there works just as well without this script.
(function () {
  "use strict";
  document.querySelectorAll(".moderated-text").forEach(function (block) {
    var text = block.querySelector(".child-text");
    var input = block.querySelector(".words-to-remove");
    if (!text || !input) return;
    text.addEventListener("mouseup", function () {
      var selected = String(window.getSelection() || "").trim();
      if (selected && text.innerText.indexOf(selected) !== -1) {
        input.value = selected;
        input.focus();
      }
    });
  });
})();
