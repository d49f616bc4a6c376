// Small helpers for keyboard users; the pages work without them.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused save, put the keyboard on the list of what to correct.
  var summary = document.getElementById("error-summary") || document.getElementById("duplicate-warning");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  // A row just added keeps the keyboard (autofocus is not honoured after every navigation).
  var focus = document.querySelector("form.desk [autofocus]");
  if (focus && !summary) { focus.focus(); }
});

// In the desk's forms Enter moves to the next field (never saves a half-filled record);
// Ctrl+Enter saves from anywhere.
document.addEventListener("keydown", function (event) {
  var form = event.target.form;
  if (event.key !== "Enter" || !form || !form.classList.contains("desk")) { return; }
  if (event.ctrlKey || event.metaKey) {
    var save = form.querySelector("#save, #save-petition");
    if (save) { event.preventDefault(); save.click(); }
    return;
  }
  var tag = event.target.tagName;
  if (tag === "TEXTAREA" || tag === "BUTTON" || tag === "A") { return; }
  event.preventDefault();
  var fields = Array.prototype.filter.call(form.elements, function (el) {
    return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.offsetParent !== null;
  });
  var next = fields[fields.indexOf(event.target) + 1];
  if (next) { next.focus(); }
});
