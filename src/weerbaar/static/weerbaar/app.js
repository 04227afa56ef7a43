// Weerbaar page behaviour. Everything here is progressive: every page works without JavaScript.
// The Content-Security-Policy allows no inline scripts, so all behaviour lives in this file and is
// wired up through data attributes and htmx events. htmx itself is configured by the
// <meta name="htmx-config"> in base.html (no inline indicator <style>, no eval, no history cache).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function liveRegion() {
    return document.getElementById("live-status");
  }

  // Clearing first and writing a moment later makes screen readers read a repeated message again.
  function announce(message) {
    var region = liveRegion();
    if (!region || !message) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  function moveFocusTo(element) {
    if (!element.hasAttribute("tabindex") && !element.matches("a[href], button, input, select, textarea")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // A form with errors: bring the error summary into view and focus, so the reader starts there.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      moveFocusTo(summary);
      return true;
    }
    return false;
  }

  // Django refuses a POST without the CSRF token; htmx requests carry it as a header. The cookie
  // is HttpOnly, so the token comes from the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) {
      target.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) {
      target.removeAttribute("aria-busy");
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) {
      return;
    }
    // Say what changed, e.g. "12 organisations found", from the fragment's own words.
    var message = target.querySelector("[data-announce]");
    if (message) {
      announce(message.textContent.trim());
    }
    if (focusErrorSummary(target)) {
      return;
    }
    // Keep focus where the person is typing (a search box outside the target). Only when the
    // focused element was replaced by the swap is focus lost; then move it to the new content.
    var active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active)) {
      var heading = target.querySelector("h1, h2, h3, caption");
      moveFocusTo(heading && heading.tagName !== "CAPTION" ? heading : target);
    }
  });

  function requestFailed() {
    var region = liveRegion();
    announce(region ? region.getAttribute("data-error-message") : "");
  }

  document.addEventListener("htmx:responseError", requestFailed);
  document.addEventListener("htmx:sendError", requestFailed);

  // Copy buttons: <button type="button" data-copy="element-id" hidden>…</button>, shown only
  // when the browser can copy.
  function setUpCopyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) {
          return;
        }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          announce(button.getAttribute("data-copied-message"));
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    setUpCopyButtons(document);
  });

  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt !== document.body) {
      setUpCopyButtons(event.detail.elt);
    }
  });
})();
