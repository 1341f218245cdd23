/* The questionnaire's enhancements: live points total, progress, saving as you go, and the
   events for the page that embeds it. Without this script the form still works (plain POST). */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  var unavailable = document.getElementById("unavailable");  // the 404 and 410 pages
  var holder = form || unavailable;
  if (!holder) return;
  var origins = JSON.parse(holder.getAttribute("data-origins"));

  function say(key, values) {
    return words[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

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

  if (!form) {  // the link does not work (404) or the round is closed (410)
    reportHeight();
    post("unavailable", { status: parseInt(unavailable.getAttribute("data-status"), 10) });
    return;
  }
  var words = JSON.parse(form.getAttribute("data-words"));
  var statusEl = document.getElementById("save-status");
  var notice = document.getElementById("notice");

  /* Points: a live total and what is left to give. */
  function updateTotal(fieldset) {
    var total = parseInt(fieldset.getAttribute("data-total"), 10);
    var sum = 0;
    fieldset.querySelectorAll("input.points").forEach(function (input) {
      var v = input.value.trim();
      if (/^\d+$/.test(v)) sum += parseInt(v, 10);
    });
    var out = fieldset.querySelector("output");
    var tail = sum === total ? say("total_ok", { total: total })
      : sum < total ? say("total_left", { left: total - sum })
      : say("total_over", { over: sum - total });
    out.textContent = say("total", { sum: sum, total: total }) + " " + tail;  // as the server words it
    out.classList.toggle("ok", sum === total);
    out.classList.toggle("over", sum > total);
    return sum === total;
  }
  var allocations = Array.prototype.slice.call(form.querySelectorAll("fieldset.allocation"));

  /* Progress: required questions answered. */
  var progressBar = document.getElementById("progress");
  var progressText = document.getElementById("progress-text");
  function updateProgress() {
    var done = 0, total = 0;
    form.querySelectorAll("[data-required]").forEach(function (q) {
      total += 1;
      if (q.classList.contains("allocation")) { if (updateTotal(q)) done += 1; }
      else if (q.classList.contains("likert")) { if (q.querySelector("input:checked")) done += 1; }
      else if (q.querySelector("textarea").value.trim()) done += 1;
    });
    allocations.forEach(updateTotal);
    progressBar.max = total;
    progressBar.value = done;
    progressText.textContent = say("progress", { done: done, total: total });
  }

  /* Errors beside their fields, as the server words them. */
  function anchor(key) { return "q-" + key.replace(/\./g, "-"); }
  function clearErrors() {
    form.querySelectorAll("p.error").forEach(function (p) { p.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    form.querySelectorAll("[data-describedby]").forEach(function (el) {
      var base = el.getAttribute("data-describedby");
      if (base) el.setAttribute("aria-describedby", base); else el.removeAttribute("aria-describedby");
    });
    var summary = document.getElementById("error-summary");
    if (summary) summary.remove();
  }
  function showErrors(errors, withSummary) {
    clearErrors();
    var keys = Object.keys(errors);
    keys.forEach(function (key) {
      var box = document.getElementById(anchor(key));
      if (!box) return;
      var p = document.createElement("p");
      p.className = "error";
      p.id = "err-" + key.replace(/\./g, "-");
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = words.error_prefix + " ";
      p.appendChild(hidden);
      p.appendChild(document.createTextNode(errors[key]));
      var after = box.querySelector("legend, label");
      if (after) after.insertAdjacentElement("afterend", p); else box.prepend(p);
      var target = box.matches("fieldset") ? box : box.querySelector("input, textarea");
      if (target) {
        target.setAttribute("aria-invalid", "true");
        var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        ids.push(p.id);
        target.setAttribute("aria-describedby", ids.join(" "));
      }
    });
    if (!withSummary || !keys.length) return;
    var summary = document.createElement("div");
    summary.id = "error-summary";
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    var heading = document.createElement("h2");
    heading.textContent = words.errors_summary;
    summary.appendChild(heading);
    var list = document.createElement("ul");
    keys.forEach(function (key) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      var box = document.getElementById(anchor(key));
      var label = box && box.querySelector("legend, label");
      a.href = "#" + anchor(key);
      a.textContent = (label ? label.firstChild.textContent.trim() + " " : "") + errors[key];
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  /* Saving: the same POST as without the script, answered in JSON. */
  var inFlight = null, again = null, timer = null, dirty = false;
  function send(action) {
    if (inFlight) { again = action === "submit" ? "submit" : (again || action); return inFlight; }
    dirty = false;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", action);
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
        clearErrors();
        var wasComplete = form.getAttribute("data-complete") === "true";
        form.setAttribute("data-complete", data.complete ? "true" : "false");
        statusEl.textContent = words.autosaved;
        post("saved", { complete: data.complete });
        if (data.status === "completed") {
          form.elements.submitted.value = "1";
          showNotice(words.submitted);
          post("completed", { complete: true });
        } else if (wasComplete && !data.complete) {  // said, not focused: they are typing
          statusEl.textContent = words.incomplete_again;
          notice.textContent = words.incomplete_again;
          notice.hidden = false;
        } else if (action === "save-now") {
          showNotice(words.saved);
        }
      } else if (status === 422) {
        statusEl.textContent = words.not_saved;
        showErrors(data.errors, action === "submit");
      } else if (status === 404 || status === 410) {  // the link was revoked, the round closed
        var main = document.getElementById("main");
        var p = document.createElement("p");
        p.textContent = data.message;
        p.tabIndex = -1;
        main.replaceChildren(p);
        p.focus();
        post("unavailable", { status: status });
      } else {  // the service failed: keep everything typed, say so
        statusEl.textContent = words.failed;
      }
    }).catch(function () {
      statusEl.textContent = words.offline;
    }).then(function () {
      inFlight = null;
      reportHeight();
      if (again) { var next = again; again = null; send(next); }
    });
    return inFlight;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    notice.focus();  // focus makes screen readers read it, and shows it in a long page
  }

  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset.allocation");
    if (fieldset) updateTotal(fieldset);
    updateProgress();
    dirty = true;
  });
  form.addEventListener("change", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(function () { if (dirty) send("save"); }, 700);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var submitter = event.submitter;
    send(submitter && submitter.value === "submit" ? "submit" : "save-now");
  });

  /* Remember what the server rendered as each control's description, to restore it. */
  form.querySelectorAll("fieldset, input.points, textarea").forEach(function (el) {
    var ids = (el.getAttribute("aria-describedby") || "").split(" ");
    el.setAttribute("data-describedby", ids.filter(function (id) {
      return id && id.indexOf("err-") !== 0;
    }).join(" "));
  });
  updateProgress();
  if ("ResizeObserver" in window) new ResizeObserver(reportHeight).observe(document.documentElement);
  reportHeight();
  post("ready", { complete: form.getAttribute("data-complete") === "true", title: document.title });
})();
