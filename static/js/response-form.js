/* The response form: conditional fields, searchable country lists, character counters,
 * autosave while staff type (with a copy in localStorage so a closed tab loses nothing),
 * and who else has the response open. Works on a form rendered by responses/views.py;
 * without this script the form still saves with its buttons. */
(function () {
  "use strict";

  // A page saved with its buttons: the server now holds what its local copy held (views.py
  // SAVED_COPY_SESSION_KEY), so the copy must never come back over a later version.
  var savedCopy = document.getElementById("saved-draft-copy");
  if (savedCopy) {
    try { localStorage.removeItem(savedCopy.dataset.key); } catch (e) { /* storage disabled */ }
  }

  var form = document.getElementById("question-form");
  if (!form) { return; }

  var AUTOSAVE_DELAY_MS = 3000;
  var RETRY_DELAY_MS = 10000;
  var MAX_RETRY_DELAY_MS = 5 * 60 * 1000;
  var PRESENCE_EVERY_MS = 15000;  // the server forgets a silent page after 20 s (presence.py)
  var statusEl = document.getElementById("autosave-status");
  var presenceEl = document.getElementById("presence");
  var autosaveUrl = form.dataset.autosaveUrl;
  var draftKey = form.dataset.draftKey;
  var csrfToken = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var baseInput = form.querySelector("input[name=base_version]");

  function say(text, tone) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.className = "autosave-status" + (tone ? " text-" + tone : "");
  }

  /* --- conditional fields ------------------------------------------------------------------ */
  function selectedValues(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-when-field]").forEach(function (wrapper) {
      var wanted = wrapper.dataset.showWhenValues.split(" ");
      var chosen = selectedValues(wrapper.dataset.showWhenField);
      var shown = chosen.some(function (value) { return wanted.indexOf(value) !== -1; });
      wrapper.classList.toggle("d-none", !shown);
      // A hidden answer is not sent, so it cannot contradict the answer that hides it.
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown || form.dataset.readOnly === "true";
      });
    });
  }

  /* --- searchable selects and counters ---------------------------------------------------------- */
  // Searchable selects: static/js/searchable-selects.js, loaded before this script.

  var counters = [];
  form.querySelectorAll("textarea[maxlength]").forEach(function (area) {
    var counter = document.createElement("div");
    counter.className = "form-text text-end";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      counter.textContent = area.value.length + " / " + area.getAttribute("maxlength");
    }
    area.addEventListener("input", update);
    counters.push(update);
    update();
  });

  /* --- local copy ----------------------------------------------------------------------------------- */
  function serialise() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "base_version") { entries.push([name, value]); }
    });
    return entries;
  }

  // Inputs changed since the last save the server acknowledged: what a local copy is for.
  var unsaved = {};

  function keepLocalCopy() {
    if (!draftKey) { return; }
    try {
      localStorage.setItem(draftKey, JSON.stringify({
        base: baseInput.value, fields: serialise(), names: Object.keys(unsaved), at: Date.now(),
      }));
    } catch (e) { /* storage full or disabled: the server copy still saves */ }
  }

  function dropLocalCopy() {
    try { localStorage.removeItem(draftKey); } catch (e) { /* nothing to drop */ }
  }

  function setInputs(byName, only) {
    form.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!input.name || input.name === "csrfmiddlewaretoken" || input.name === "base_version") { return; }
      if (only && !Object.prototype.hasOwnProperty.call(only, input.name)) { return; }
      var values = byName[input.name] || [];
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) !== -1;
      } else if (input.tagName === "SELECT" && input.multiple) {
        if (input.tomselect) { input.tomselect.setValue(values, true); }
        Array.prototype.forEach.call(input.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        input.value = values.length ? values[0] : "";
      }
    });
    applyConditions();
    counters.forEach(function (update) { update(); });
  }

  function byNameOf(entries, names) {
    var byName = {};
    names.forEach(function (name) { byName[name] = []; });
    entries.forEach(function (pair) {
      if (Object.prototype.hasOwnProperty.call(byName, pair[0])) { byName[pair[0]].push(pair[1]); }
    });
    return byName;
  }

  /* Puts back only the inputs the person had changed: the others on the page are the server's,
   * possibly newer than the copy. */
  function restore(stored) {
    var names = stored.names || stored.fields.map(function (pair) { return pair[0]; });
    var byName = byNameOf(stored.fields, names);
    setInputs(byName, byName);
    names.forEach(function (name) { unsaved[name] = true; });
  }

  function sameAsPage(stored) {
    var names = stored.names || stored.fields.map(function (pair) { return pair[0]; });
    var kept = byNameOf(stored.fields, names);
    var shown = byNameOf(serialise(), names);
    return names.every(function (name) { return JSON.stringify(kept[name]) === JSON.stringify(shown[name]); });
  }

  /* A colleague's values that the server merged into the save just made, by input name. An
   * input the person is typing in, or changed since that save was sent, keeps what they typed:
   * the page then stops autosaving and the next save of the page shows it as a conflict. */
  function putColleaguesValues(fields) {
    var byName = {};
    var collisions = [];
    Object.keys(fields).forEach(function (name) {
      var active = document.activeElement;
      if (editedSinceSent[name] || (active && active.name === name)) { collisions.push(name); return; }
      var value = fields[name];
      byName[name] = Array.isArray(value) ? value.map(String) : (value === "" || value === null ? [] : [String(value)]);
    });
    setInputs(byName, byName);
    return collisions;
  }

  function offerLocalCopy() {
    var stored;
    try { stored = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { stored = null; }
    if (!stored) { return; }
    // Saved after all (a save sent as the page was left): nothing to offer.
    if (sameAsPage(stored)) { dropLocalCopy(); return; }
    if (stored.base === baseInput.value) {
      restore(stored);
      say(form.dataset.msgRestored || "Restored what you typed last time; saving it now.", "warning");
      scheduleSave(0);
    } else {
      say("", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-warning ms-2";
      button.textContent = form.dataset.msgRestoreOlder || "Restore text you had not saved";
      button.addEventListener("click", function () {
        // Saved from the version it was typed on, so the server merges it with what changed
        // since, or shows a conflict: it never silently replaces a colleague's newer answer.
        restore(stored);
        baseInput.value = stored.base;
        button.remove();
        scheduleSave(0);
      });
      statusEl.textContent = form.dataset.msgOlderCopy || "You have unsaved text from an earlier visit, and the response changed since.";
      statusEl.appendChild(button);
    }
  }

  /* --- autosave ------------------------------------------------------------------------------------- */
  var timer = null;  // a save is waiting to be sent
  var saving = false;
  var pending = false;
  var stopped = false;
  var failed = false;  // the last save did not reach the server: the text is only on this page
  var leaving = false;  // the form is being sent with its buttons
  var notBefore = 0;  // set by a 429: typing on must not send the next save before the server allows
  var editedSinceSent = {};  // input names changed while a save is on its way

  function scheduleSave(delay) {
    if (stopped || !autosaveUrl) { return; }
    clearTimeout(timer);
    var wait = delay === undefined ? AUTOSAVE_DELAY_MS : delay;
    timer = setTimeout(function () { timer = null; save(); }, Math.max(wait, notBefore - Date.now()));
  }

  function hasUnsavedText() {
    return timer !== null || saving || pending || failed || stopped;
  }

  /* The page is being hidden or left: a save that is waiting goes now, and the browser finishes
   * sending it after the page is gone (keepalive). */
  function flush() {
    if (stopped || !autosaveUrl || (timer === null && !failed)) { return; }
    clearTimeout(timer);
    timer = null;
    save(true);
  }

  function updateProgress(progress) {
    (progress || []).forEach(function (item) {
      document.querySelectorAll("[data-progress-question='" + item.question + "']").forEach(function (badge) {
        badge.className = "badge progress-" + item.state;
        badge.textContent = item.label;
      });
    });
  }

  function retryDelay(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    if (isNaN(seconds) || seconds < 0) { return RETRY_DELAY_MS; }
    return Math.min(seconds * 1000, MAX_RETRY_DELAY_MS);
  }

  function save(keepalive) {
    if (saving && !keepalive) { pending = true; return; }
    saving = true;
    editedSinceSent = {};
    say(form.dataset.msgSaving || "Saving…", "");
    fetch(autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": csrfToken, "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin",
      keepalive: !!keepalive,
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var json = type.indexOf("application/json") !== -1;
      if (response.status === 429) {
        // Too many saves in a short time: wait as long as the server says, then save again.
        var wait = retryDelay(response);
        return (json ? response.json() : Promise.resolve({})).catch(function () { return {}; }).then(function (data) {
          throw { kind: "limited", wait: wait, message: data.message };
        });
      }
      if (response.status >= 500) {
        // The server or its database is unavailable for a moment (a restart, a deployment): its
        // error page is HTML, which must not read as an expired session.
        throw { kind: "unavailable", wait: response.headers.has("Retry-After") ? retryDelay(response) : RETRY_DELAY_MS };
      }
      if (response.redirected || !json) {
        throw { kind: "session" };
      }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      var data = result.data;
      failed = false;
      if (data.status === "saved" || data.status === "merged") {
        document.dispatchEvent(new CustomEvent("allied:activity"));
        updateProgress(data.progress);
      }
      if (data.status === "saved" || data.status === "merged") {
        unsaved = Object.assign({}, editedSinceSent);
      }
      if (data.status === "saved") {
        baseInput.value = data.version;
        dropLocalCopy();
        say(data.message, "success");
        form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
      } else if (data.status === "merged") {
        var collisions = putColleaguesValues(data.fields || {});
        if (collisions.length) {
          // Going on from the merged version would overwrite the colleague's answer with what
          // is being typed: stay on the older base, so saving the page compares the two.
          stopped = true;
          keepLocalCopy();
          say(form.dataset.msgMergeCollision || "A colleague changed an answer you are typing in. Save this page to compare and choose.", "danger");
        } else {
          baseInput.value = data.version;
          if (!pending) { dropLocalCopy(); } else { keepLocalCopy(); }
          say(data.message, "success");  // text-info is below 4.5:1 on white
        }
      } else if (data.status === "conflict" || data.status === "refused") {
        stopped = true;
        say(data.message, "danger");
      } else {
        say(data.message, "danger");
        Object.keys(data.errors || {}).forEach(function (name) {
          form.querySelectorAll("[name='" + name + "']").forEach(function (el) { el.classList.add("is-invalid"); });
        });
      }
    }).catch(function (problem) {
      var kind = problem && problem.kind;
      var wait = (problem && problem.wait) || RETRY_DELAY_MS;
      failed = true;
      if (kind === "limited") {
        notBefore = Date.now() + wait;
        say(problem.message || form.dataset.msgLimited || "Not saved yet: too many saves in a short time. Your text stays on this page and is saved again in a moment.", "warning");
      } else if (kind === "unavailable") {
        say(form.dataset.msgUnavailable || "Not saved: the server is unavailable for a moment. Your text stays on this page; retrying…", "danger");
      } else if (kind === "session") {
        say(form.dataset.msgSession || "Not saved: your session has expired. Sign in again in another tab; your text stays on this page.", "danger");
      } else {
        say(form.dataset.msgOffline || "Not saved: no connection. Your text stays on this page; retrying…", "danger");
      }
      // The text is still in the form and in localStorage (kept on every change): save it again.
      scheduleSave(wait);
    }).then(function () {
      saving = false;
      if (pending) { pending = false; scheduleSave(); }
    });
  }

  /* Typing or choosing an answer in a field that holds a declared non-answer ("no position at
     this stage"...) replaces the declaration: a field holds one or the other, and what the person
     now enters is their answer. Choosing a declaration never clears what was typed: the server
     then asks which to keep. */
  function answerReplacesDeclaration(target) {
    var wrapper = target.closest("[data-field-key]");
    if (!wrapper) { return; }
    var key = wrapper.dataset.fieldKey;
    // The answer itself, not its "official or estimate" or "if other" companions.
    if (target.name !== key) { return; }
    var declared = form.querySelector("[name='" + key + "__declared']");
    if (!declared || !declared.value) { return; }
    declared.value = "";
    var reason = form.querySelector("[name='" + key + "__declared_reason']");
    if (reason) { reason.value = ""; }
    [key + "__declared", key + "__declared_reason"].forEach(function (n) {
      editedSinceSent[n] = true;
      unsaved[n] = true;
    });
  }

  function changed(event) {
    if (event && event.target && event.target.name) {
      editedSinceSent[event.target.name] = true;
      unsaved[event.target.name] = true;
      answerReplacesDeclaration(event.target);
    }
    applyConditions();
    keepLocalCopy();
    scheduleSave();
  }

  /* --- presence ---------------------------------------------------------------------------------------- */
  function heartbeat() {
    if (!form.dataset.presenceUrl) { return; }
    var body = new FormData();
    body.append("question", form.dataset.question);
    fetch(form.dataset.presenceUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken },
    }).then(function (r) { return r.ok ? r.json() : { others: [] }; }).then(function (data) {
      if (!presenceEl) { return; }
      presenceEl.textContent = data.others.length
        ? (form.dataset.msgPresence || "Also open now:") + " " + data.others.map(function (o) {
            return o.name + (o.question ? " (Q" + o.question + ")" : "");
          }).join(", ")
        : "";
    }).catch(function () { /* only a hint */ });
  }

  applyConditions();
  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea, input[type=text], input[type=number], input[type=email]")) { changed(event); }
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    timer = null;
    stopped = true;
    leaving = true;
    keepLocalCopy();
  });
  var conflict = document.getElementById("conflict");
  if (conflict) { conflict.focus(); }  // keyboard and screen-reader users start at the choice
  if (autosaveUrl) {
    offerLocalCopy();
    heartbeat();
    setInterval(heartbeat, PRESENCE_EVERY_MS);
    window.addEventListener("beforeunload", function (event) {
      // A copy of text the server already holds would later read as unsaved text: keep only
      // what is not saved yet.
      if (leaving || !hasUnsavedText()) { return; }
      keepLocalCopy();
      flush();
      // Asked only while text is on its way or did not reach the server.
      event.preventDefault();
      event.returnValue = form.dataset.msgLeaveUnsaved || "";
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("pagehide", function () {
      flush();
      if (form.dataset.presenceUrl && !leftBySubmit) {
        var body = new FormData();
        body.append("leaving", "1");
        fetch(form.dataset.presenceUrl, {
          method: "POST", body: body, credentials: "same-origin", keepalive: true,
          headers: { "X-CSRFToken": csrfToken },
        }).catch(function () { /* only a hint */ });
      }
    });
    // Back online: what was typed offline goes through the normal merge (its base is the version
    // the page last saw, so a colleague's change made meanwhile is merged or shown as a conflict).
    window.addEventListener("online", function () { if (failed && !saving) { scheduleSave(0); } });
    // Back from the error page of a failed Save, the browser may show this page from memory:
    // the text is there, but autosave is stopped by the submit. Loading the page afresh puts the
    // local copy back over the server's answers and saves it (offerLocalCopy).
    var leftBySubmit = false;
    form.addEventListener("submit", function () { leftBySubmit = true; });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && leftBySubmit) { window.location.reload(); }
    });
  }
})();
