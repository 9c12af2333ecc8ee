// Progressive enhancement only: every form works without this module.
// A mailed link's token leaves the address bar (and the history) once the page has it in its form.
if (new URLSearchParams(window.location.search).has("token")) {
  window.history.replaceState(null, "", window.location.pathname);
}
// Browsers that ignore `autofocus` on the error summary still move focus to it.
const summary = document.querySelector(".error-summary");
if (summary instanceof HTMLElement && document.activeElement !== summary) summary.focus();
