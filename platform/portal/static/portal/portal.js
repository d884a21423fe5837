// Behaviour the templates would otherwise write inline (the Content-Security-Policy allows scripts
// from the platform's own files only).
(function () {
  // <select data-submit-on-change>: choosing an option submits its form (the language switch).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
  });
})();
