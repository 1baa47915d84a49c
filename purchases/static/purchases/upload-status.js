// An uploaded file's check, asked again every few seconds while it runs: the result replaces
// the waiting message in place. A timed reload of the whole page (meta refresh) would interrupt
// a screen reader every time and could not be stopped (WCAG 2.2.1); without this script, the
// waiting message's link asks again.
(function () {
  "use strict";

  var box = document.getElementById("upload-status");
  if (!box || !box.hasAttribute("data-waiting") || !window.fetch || !window.DOMParser) {
    return;
  }
  var delay = (Number(box.getAttribute("data-refresh-seconds")) || 3) * 1000;

  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("upload-status");
        if (!fresh || fresh.hasAttribute("data-waiting")) {
          window.setTimeout(check, delay);
          return;
        }
        fresh = document.importNode(fresh, true);
        box.replaceWith(fresh);
        // The result's heading takes the focus, so that it is read out where it now stands.
        var heading = fresh.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function () {
        window.setTimeout(check, delay * 2);
      });
  }

  window.setTimeout(check, delay);
})();
