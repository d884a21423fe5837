// Opens the page again once the on-chain actions it shows are done. The page marks itself with
// <div data-refresh-when-settled="URL" data-page="PAGE">, URL answering {"pending": true|false};
// it is asked every 2 seconds while the tab is visible. A failed answer is asked again next time.
// PAGE is opened with GET: the page may be the answer to a refused form's POST.
(function () {
  var marker = document.querySelector("[data-refresh-when-settled]");
  if (!marker) return;
  var url = marker.getAttribute("data-refresh-when-settled");
  var page = marker.getAttribute("data-page") || window.location.pathname;
  var asking = false;
  var timer = setInterval(function () {
    if (asking || document.visibilityState === "hidden") return;
    asking = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { pending: true }; })
      .then(function (answer) {
        if (!answer.pending) {
          clearInterval(timer);
          window.location.assign(page);
        }
      })
      .catch(function () {})
      .then(function () { asking = false; });
  }, 2000);
})();
