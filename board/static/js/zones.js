// The board's time zone: a field to find a zone by typing part of its name, and the zones
// of the country typed above brought to the top. Without scripts the list works as it
// is (the country's zones first once the form was saved or refused; typing a letter in an
// open list jumps to it).
(function () {
  "use strict";
  var select = document.querySelector("select[data-zones]");
  var finder = document.querySelector("[data-zone-finder]");
  if (!select || !finder) return;
  var search = finder.querySelector("input");
  var country = document.getElementById(select.dataset.countryField);
  finder.hidden = false;

  function matches(option, words) {
    var name = (option.value + " " + option.textContent).toLowerCase();
    return words.every(function (word) { return name.indexOf(word) !== -1; });
  }

  search.addEventListener("input", function () {
    var words = search.value.toLowerCase().replace(/_/g, " ").split(/[\s/]+/).filter(Boolean);
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var shown = !option.value || matches(option, words);
      option.hidden = !shown;
      if (shown && option.value && !first) first = option;
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    var chosen = select.options[select.selectedIndex];
    if (first && (!chosen || chosen.hidden || !chosen.value)) first.selected = true;
  });

  function ownCountryFirst() {
    var code = (country && country.value || "").trim().toUpperCase();
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      if (group.hasAttribute("data-own") || group.label === select.dataset.own) group.remove();
    });
    if (code.length !== 2) return;
    var group = document.createElement("optgroup");
    group.label = code;
    group.dataset.own = "";
    Array.prototype.forEach.call(select.querySelectorAll("option[data-countries]"), function (o) {
      if ((" " + o.dataset.countries + " ").indexOf(" " + code + " ") !== -1 &&
          !group.querySelector('option[value="' + o.value + '"]')) {
        var copy = o.cloneNode(true);
        copy.selected = false;
        group.appendChild(copy);
      }
    });
    if (group.children.length) select.insertBefore(group, select.querySelector("optgroup"));
  }
  if (country) country.addEventListener("change", ownCountryFirst);
})();
