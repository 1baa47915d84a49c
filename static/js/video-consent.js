// Video capsules: the host's player loads only when the visitor asks for it.
// Before the click the page holds a local button and no third-party address that a browser
// would fetch; without JavaScript the frame stays hidden and the plain link remains.
(function () {
  "use strict";
  // The same two players as the CSP's frame-src: any other address is left alone.
  const PLAYERS = ["https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/"];
  document.querySelectorAll("[data-video] .video-play").forEach(function (button) {
    const url = button.dataset.embedUrl || "";
    if (!PLAYERS.some(function (player) { return url.startsWith(player); })) {
      return;
    }
    const frame = button.closest("[data-video-frame]");
    frame.hidden = false;
    button.addEventListener("click", function () {
      const iframe = document.createElement("iframe");
      iframe.src = url;
      iframe.title = button.dataset.title;
      iframe.allow = "autoplay; fullscreen; picture-in-picture";
      iframe.allowFullscreen = true;
      // The site sends no referrer to other origins; the players need the origin to start.
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      frame.replaceChildren(iframe);
      iframe.focus();
    });
  });
})();
