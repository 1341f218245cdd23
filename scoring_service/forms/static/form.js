/* The questionnaire's enhancements: live points total, progress, saving as you go, and the
   events for the page that embeds it. Without this script the form still works (plain POST). */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  var unavailable = document.getElementById("unavailable");  // a known invitation's 410 or 503
  var holder = form || unavailable;
  if (!holder) return;
  var origins = JSON.parse(holder.getAttribute("data-origins"));

  /* The embedding page's origin, passed by embed.js in the fragment; used only if the
     alliance lists it, and only then is anything posted to the parent. */
  var parentOrigin = null;
  var match = /(?:^#|&)origin=([^&]+)/.exec(location.hash);
  if (match && window.parent !== window) {
    var claimed = decodeURIComponent(match[1]);
    if (origins.indexOf(claimed) !== -1) parentOrigin = claimed;
  }
  function post(type, detail) {
    if (!parentOrigin) return;
    var message = { source: "alignment-form", type: type };
    for (var k in detail || {}) message[k] = detail[k];
    window.parent.postMessage(message, parentOrigin);
  }
  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("resize", { height: height });
    }
  }
  /* Bring an element into view: in a frame sized to its content, the portal page scrolls. */
  function reveal(el) {
    var top = el.getBoundingClientRect().top + window.scrollY;
    if (parentOrigin) post("scrollto", { top: Math.max(0, top - 16) });
    else el.scrollIntoView({ block: "start" });
  }

  if (!form) {  // the round is closed (410), or a plain post could not be saved (503)
    reportHeight();
    post("unavailable", { status: parseInt(unavailable.getAttribute("data-status"), 10) });
    return;
  }
  var words = JSON.parse(form.getAttribute("data-words"));
  var uiLang = form.getAttribute("data-ui-lang");  // the language of the form's own words
  var statusEl = document.getElementById("save-status");
  var notice = document.getElementById("notice");
  function say(key, values) {
    return words[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  /* Points: the sum typed so far, and the line under the fields (rewritten only when the
     sum changes, so that screen readers hear it once per change). */
  function pointsOf(fieldset) {
    var total = parseInt(fieldset.getAttribute("data-total"), 10), sum = 0;
    fieldset.querySelectorAll("input.points").forEach(function (input) {
      var v = input.value.trim();
      if (/^\d+$/.test(v)) sum += parseInt(v, 10);
    });
    return { sum: sum, total: total };
  }
  function renderTotal(fieldset) {
    var p = pointsOf(fieldset), out = fieldset.querySelector("output");
    var tail = p.sum === p.total ? say("total_ok", { total: p.total })
      : p.sum < p.total ? say("total_left", { left: p.total - p.sum })
      : say("total_over", { over: p.sum - p.total });
    var text = say("total", { sum: p.sum, total: p.total }) + " " + tail;  // as the server words it
    if (out.textContent !== text) out.textContent = text;
    out.classList.toggle("ok", p.sum === p.total);
    out.classList.toggle("over", p.sum > p.total);
  }

  /* Progress: required questions answered. */
  function answered(box) {
    if (box.classList.contains("allocation")) { var p = pointsOf(box); return p.sum === p.total; }
    if (box.classList.contains("likert")) return !!box.querySelector("input:checked");
    if (box.classList.contains("objective")) return true;  // its format passed the last save
    var text = box.querySelector("textarea");
    return !!(text && text.value.trim());
  }
  var progressBar = document.getElementById("progress");
  var progressText = document.getElementById("progress-text");
  function updateProgress() {
    var done = 0, total = 0;
    form.querySelectorAll("[data-required]").forEach(function (q) {
      total += 1;
      if (answered(q)) done += 1;
    });
    progressBar.max = total;
    progressBar.value = done;
    var text = say("progress", { done: done, total: total });
    if (progressText.textContent !== text) progressText.textContent = text;
  }

  /* Errors beside their fields, as the server words them, and a summary at the top. */
  function anchor(key) { return "q-" + key.replace(/\./g, "-"); }
  function controlOf(box) {
    return box.matches("fieldset") ? box : box.querySelector("input, textarea");
  }
  function removeError(p) {
    var box = p.parentElement.closest("[id^='q-']");
    var target = box && controlOf(box);
    if (target) {
      target.removeAttribute("aria-invalid");
      var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== p.id;
      });
      if (ids.length) target.setAttribute("aria-describedby", ids.join(" "));
      else target.removeAttribute("aria-describedby");
    }
    p.remove();
  }
  var elsewhere = [];  // problems of the last submit that have no question on the page
  function clearErrors() {
    form.querySelectorAll("p.error").forEach(removeError);
    elsewhere = [];
    var summary = document.getElementById("error-summary");
    if (summary) summary.remove();
  }
  /* After a save went through: drop the errors of questions that are answered now, keep the
     others (a missing answer is still missing). */
  function pruneErrors() {
    form.querySelectorAll("p.error").forEach(function (p) {
      var box = p.parentElement.closest("[id^='q-']");
      if (!box || answered(box)) removeError(p);
    });
    elsewhere = [];
    renderSummary(false);
  }
  function labelOf(box) {
    var label = box && box.querySelector("legend, label");
    return label && label.firstChild ? label.firstChild.textContent.trim() + " " : "";
  }
  function count(key, n) { return say(n === 1 ? key + "_one" : key, { n: n }); }
  function inUiLang(el) {
    if (uiLang !== document.documentElement.lang) el.lang = uiLang;
    return el;
  }
  /* The problems on the page, in page order: the errors beside the questions, then any other. */
  function problems() {
    var found = [];
    form.querySelectorAll("p.error").forEach(function (p) {
      var box = p.parentElement.closest("[id^='q-']");
      if (!box) return;
      found.push({
        href: "#" + box.id,
        text: labelOf(box) + p.lastChild.textContent,
        pinned: box.matches("fieldset.allocation")  // the points' own problem (their sum)
      });
    });
    return found.concat(elsewhere);
  }
  /* The summary, by the server's rule (views.summary_keys): how many problems, the first few
     as links and the points' own problem always, then how many more. ``announce`` (a submit):
     a new summary, an alert, focused. Otherwise (a save) an existing summary follows the
     errors on the page, quietly: it was announced when it came, and the person is answering. */
  var summaryShown = parseInt(form.getAttribute("data-summary-shown"), 10) || 5;
  function renderSummary(announce) {
    var summary = document.getElementById("error-summary");
    var all = problems();
    if (summary && (announce || !all.length)) {
      summary.remove();
      summary = null;
    }
    if (!all.length || (!summary && !announce)) return;
    if (!summary) {
      summary = document.createElement("div");
      summary.id = "error-summary";
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.tabIndex = -1;
    } else {
      summary.removeAttribute("role");
    }
    var heading = inUiLang(document.createElement("h2"));
    heading.textContent = count("errors_count", all.length);
    var room = summaryShown - all.filter(function (problem) { return problem.pinned; }).length;
    var list = document.createElement("ul"), listed = 0;
    all.forEach(function (problem) {
      if (!problem.pinned) {
        if (room <= 0) return;
        room -= 1;
      }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = problem.href;
      a.textContent = problem.text;
      li.appendChild(a);
      list.appendChild(li);
      listed += 1;
    });
    var parts = [heading, list];
    if (all.length > listed) {
      var more = inUiLang(document.createElement("p"));
      more.className = "more";
      more.textContent = count("errors_more", all.length - listed);
      parts.push(more);
    }
    summary.replaceChildren.apply(summary, parts);
    if (!announce) return;
    // Where the server puts it: above the progress line.
    var progressLine = document.querySelector(".progress");
    progressLine.parentNode.insertBefore(summary, progressLine);
    summary.focus();
    reveal(summary);
  }
  /* A submit replaces every error and the summary; a save adds or replaces its own (and an
     existing summary follows). */
  function showErrors(errors, withSummary) {
    if (withSummary) clearErrors();
    Object.keys(errors).forEach(function (key) {  // in page order, as the server sends them
      var box = document.getElementById(anchor(key));
      if (!box) {
        if (withSummary) elsewhere.push({ href: "#" + anchor(key), text: key + " " + errors[key] });
        return;
      }
      var old = document.getElementById("err-" + key.replace(/\./g, "-"));
      if (old) removeError(old);
      var p = inUiLang(document.createElement("p"));
      p.className = "error";
      p.id = "err-" + key.replace(/\./g, "-");
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = words.error_prefix + " ";
      p.appendChild(hidden);
      p.appendChild(document.createTextNode(errors[key]));
      var after = box.querySelector("legend, label");
      if (after) after.insertAdjacentElement("afterend", p); else box.prepend(p);
      var target = controlOf(box);
      if (target) {
        target.setAttribute("aria-invalid", "true");
        var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        ids.push(p.id);
        target.setAttribute("aria-describedby", ids.join(" "));
      }
    });
    renderSummary(withSummary);
  }
  /* A summary link moves focus to its question's first control (a hash link would move
     nothing in a frame, and add history entries). */
  document.addEventListener("click", function (event) {
    var link = event.target.closest("#error-summary a");
    if (!link) return;
    var box = document.getElementById(link.getAttribute("href").slice(1));
    if (!box) return;
    event.preventDefault();
    var control = box.querySelector("input:checked, input, textarea");
    if (control) control.focus({ preventScroll: true });
    reveal(box);
  });

  function showNotice(text, focus) {
    notice.textContent = text;
    notice.hidden = false;
    if (focus) {  // focus makes screen readers read it, and shows it in a long page
      notice.focus({ preventScroll: true });
      reveal(notice);
    }
  }
  function showUnavailable(data, status) {  // the link was revoked, or the round closed
    var main = document.getElementById("main");
    var h1 = document.createElement("h1");
    h1.textContent = data.title || "";
    h1.tabIndex = -1;
    var p = document.createElement("p");
    p.textContent = data.message || "";
    main.replaceChildren(h1, p);
    h1.focus();
    dirty = false;
    post("unavailable", { status: status });
  }

  /* Saving: the same POST as without the script, answered in JSON. One request at a time;
     changes made meanwhile are saved right after it. */
  var inFlight = null, next = null, timer = null, dirty = false, submitting = false;
  function send(action) {
    if (inFlight) {
      if (action === "submit" || !next) next = action;
      return;
    }
    dirty = false;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", action);
    if (action === "submit") submitting = true;
    inFlight = fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "omit",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return [response.status, data];
      });
    }).then(function (result) {
      var status = result[0], data = result[1];
      if (status === 200) {
        var wasComplete = form.getAttribute("data-complete") === "true";
        form.setAttribute("data-complete", data.complete ? "true" : "false");
        statusEl.textContent = words.autosaved;
        if (action === "submit") clearErrors(); else pruneErrors();
        post("saved", { complete: data.complete });
        if (data.status === "completed") {
          form.elements.submitted.value = "1";
          showNotice(words.submitted, true);
          post("completed", { complete: true });
        } else if (data.complete && !wasComplete) {  // whole again after a change
          showNotice(words.submitted, false);
          post("completed", { complete: true });
        } else if (wasComplete && !data.complete) {  // said, not focused: they are typing
          statusEl.textContent = words.incomplete_again;
          showNotice(words.incomplete_again, false);
        } else if (action === "save-now") {
          showNotice(words.saved, true);
        }
      } else if (status === 422) {
        dirty = true;
        statusEl.textContent = words.not_saved;
        showErrors(data.errors, action === "submit");
      } else if (status === 404 || status === 410) {
        showUnavailable(data, status);
      } else {  // the service failed: keep everything typed, say so, try again on the next change
        dirty = true;
        statusEl.textContent = words.failed;
      }
    }).catch(function () {
      dirty = true;
      statusEl.textContent = words.offline;
    }).then(function () {
      inFlight = null;
      if (action === "submit") submitting = false;
      updateProgress();
      reportHeight();
      if (next) { var queued = next; next = null; send(queued); }
    });
  }
  function saveSoon(delay) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(function () { if (dirty) send("save"); }, delay);
  }

  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset.allocation");
    if (fieldset) renderTotal(fieldset);
    updateProgress();
    saveSoon(2000);  // typing: saved after a pause, even without leaving the field
  });
  form.addEventListener("change", function () { saveSoon(700); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var submitter = event.submitter;
    if (submitter && submitter.value === "submit") {
      if (submitting) return;  // a second click while the first submit is on its way
      send("submit");
    } else {
      send("save-now");
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty || inFlight) {  // something typed is not saved yet
      event.preventDefault();
      event.returnValue = "";
    }
  });

  updateProgress();
  if ("ResizeObserver" in window) new ResizeObserver(reportHeight).observe(document.documentElement);
  reportHeight();
  post("ready", { complete: form.getAttribute("data-complete") === "true", title: document.title });
})();
