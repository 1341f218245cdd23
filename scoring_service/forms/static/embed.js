/* Embeds alliance questionnaires in a portal page (docs/embedding.md).

   <div data-alignment-form="https://scoring.example/forms/inv_..."></div>
   <script src="https://scoring.example/embed.js" async></script>

   Each placeholder gets an iframe of the form, sized to its content, and receives the DOM
   events "ready", "saved" and "completed" (CustomEvent, bubbling; detail: {complete}), or
   "unavailable" (detail: {status}: 410 for a closed round, as the form page says; 0 when the
   frame never spoke: the browser refused to frame the page, which is what a link that does not
   work gets, as does a portal whose origin the alliance does not list; the placeholder's own
   content, the link, is then put back).
   Messages are taken only from the service's own origin and from that placeholder's iframe. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.AlignmentForms) return;
  var service = new URL(script.src).origin;
  var mounted = [];
  /* The form's script speaks before its page has finished loading: this is only the time for
     its first message to reach us after the frame's load event. */
  var SILENCE_MS = 2000;

  /* The frame loaded and said nothing: the browser refused to frame the page (and tells us
     no more: the console says why). A link that does not work may be framed by no one, so
     that its page names no alliance; a page of an origin the alliance does not list may not
     frame the form. Put the placeholder's own content (the link) back and say so. */
  function silent(m) {
    m.heard = true;
    m.placeholder.replaceChildren.apply(m.placeholder, m.fallback);
    m.placeholder.dispatchEvent(new CustomEvent("unavailable", {
      bubbles: true, detail: { status: 0 }
    }));
  }

  function watch(m) {
    m.frame.addEventListener("load", function () {
      if (m.heard) return;
      try {
        if (m.frame.contentWindow.location.href === "about:blank") return;  // not ours yet
      } catch (e) { /* another origin's page (ours, or the browser's refusal): wait for it */ }
      clearTimeout(m.timer);
      m.timer = setTimeout(function () { if (!m.heard) silent(m); }, SILENCE_MS);
    });
  }

  function mount(placeholder) {
    if (placeholder.getAttribute("data-alignment-mounted")) return null;
    var url = new URL(placeholder.getAttribute("data-alignment-form"), document.baseURI);
    if (url.origin !== service) {
      console.error("embed.js: the form link must be on " + service + ", not " + url.origin);
      return null;
    }
    url.hash = "origin=" + encodeURIComponent(window.location.origin);
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = placeholder.getAttribute("data-title") || "Questionnaire";
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.style.width = "100%";
    frame.style.minHeight = "20rem";
    frame.style.border = "0";
    frame.style.display = "block";
    placeholder.setAttribute("data-alignment-mounted", "true");
    var m = {
      frame: frame, placeholder: placeholder, heard: false, timer: null,
      fallback: Array.prototype.slice.call(placeholder.childNodes)
    };
    watch(m);
    placeholder.replaceChildren(frame);
    mounted.push(m);
    return frame;
  }

  function mountAll() {
    document.querySelectorAll("[data-alignment-form]").forEach(mount);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== service) return;
    var data = event.data;
    if (!data || data.source !== "alignment-form") return;
    mounted.forEach(function (m) {
      if (m.frame.contentWindow !== event.source) return;
      m.heard = true;
      if (data.type === "resize" && typeof data.height === "number") {
        m.frame.style.height = Math.max(0, Math.ceil(data.height)) + "px";
      } else if (data.type === "scrollto" && typeof data.top === "number") {
        // The form moved focus to something (an error, a notice): bring it into view.
        var top = m.frame.getBoundingClientRect().top + window.scrollY + data.top;
        window.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
      } else if (data.type === "ready" || data.type === "saved" || data.type === "completed") {
        if (data.type === "ready" && typeof data.title === "string" &&
            !m.placeholder.getAttribute("data-title")) {
          m.frame.title = data.title;  // the questionnaire's own title, in its language
        }
        m.placeholder.dispatchEvent(new CustomEvent(data.type, {
          bubbles: true, detail: { complete: data.complete === true }
        }));
      } else if (data.type === "unavailable") {  // 410: closed (or its page's own status)
        m.placeholder.dispatchEvent(new CustomEvent("unavailable", {
          bubbles: true, detail: { status: data.status }
        }));
      }
    });
  });

  window.AlignmentForms = { mount: mount, mountAll: mountAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
