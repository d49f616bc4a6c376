// Small helpers for keyboard users; the pages work without them.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused save, put the keyboard on the list of what to correct.
  var summary = document.getElementById("error-summary") || document.getElementById("duplicate-warning");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
});
