// Staff page: the processing list and the talk list follow the server by themselves while a job
// waits or runs (the page is fetched again and its two lists merged in, rows being edited kept);
// publish, delete (after a confirmation dialog), retry, and the details editor of each talk.
// Shared with admin_upload.js through window.talkarchiveAdmin.
(() => {
  "use strict";
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const announce = document.getElementById("announce");
  const listError = document.getElementById("list-error");
  const IDLE_MS = 15000;
  const POLL_MS = 2000;
  let timer = null;

  const CODES = {
    bad_media: "err_bad_media", media_timeout: "err_bad_media", unsupported_media_type: "err_bad_media",
    no_audio: "err_no_audio", empty_file: "err_empty_file", truncated: "err_truncated",
    too_large: "err_too_large",
  };

  // A failed request as staff should read it, and the technical detail for the technician.
  function describeError(status, body) {
    const error = body && body.error ? body.error : null;
    let key = error && CODES[error.code];
    if (!key) {
      if (status === 0) key = "err_network";
      else if (status === 401 || status === 403) key = "err_signed_out";
      else if (status === 503) key = "err_unavailable";
      else if (status === 400 || status === 422) key = "err_input";
      else key = "err_generic";
    }
    const detail = error ? `${status} ${error.code}: ${error.message}` : status ? `HTTP ${status}` : "";
    return { message: texts[key], detail };
  }

  function showFailure(container, failure) {
    const p = document.createElement("p");
    p.className = "failure-message";
    p.textContent = failure.message;
    container.append(p);
    if (failure.detail) {
      const details = document.createElement("details");
      details.className = "tech";
      const summary = document.createElement("summary");
      summary.textContent = texts.technical_details;
      const code = document.createElement("code");
      code.textContent = failure.detail;
      details.append(summary, code);
      container.append(details);
    }
  }

  function say(text) { announce.textContent = text; }

  function sayError(failure) {
    listError.textContent = "";
    showFailure(listError, failure);
    listError.hidden = false;
  }

  async function json(r) {
    try { return await r.json(); } catch (e) { return null; }
  }

  async function send(method, path, body) {
    const headers = { "X-CSRF-Token": csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { ok: r.ok, status: r.status, body: await json(r) };
    } catch (e) {
      return { ok: false, status: 0, body: null };
    }
  }

  // --- the lists follow the server -------------------------------------------------------
  function rowBusy(row) {
    const active = document.activeElement;
    return row.querySelector("details[open], form[data-dirty]") !== null
      || (row.contains(active) && active.matches("input, textarea, select"));
  }

  function mergeRows(oldBody, newBody, key) {
    const fresh = Array.from(newBody.rows);
    const wanted = new Set(fresh.map((r) => r.dataset[key]));
    for (const row of Array.from(oldBody.rows)) {
      if (!wanted.has(row.dataset[key]) && !rowBusy(row)) row.remove();
    }
    let prev = null;
    for (const row of fresh) {
      const old = oldBody.querySelector(`tr[data-${key}="${row.dataset[key]}"]`);
      let node = row;
      if (old && (rowBusy(old) || old.outerHTML === row.outerHTML)) node = old;
      else if (old) old.replaceWith(row);
      const here = prev ? prev.nextElementSibling : oldBody.firstElementChild;
      if (here !== node && !rowBusy(node)) {
        if (prev) prev.after(node); else oldBody.prepend(node);
      }
      prev = node;
    }
  }

  function syncPanel(id, fresh, key) {
    const panel = document.getElementById(id);
    if (fresh.dataset.busy) panel.dataset.busy = fresh.dataset.busy;
    const oldBody = panel.querySelector("tbody");
    const newBody = fresh.querySelector("tbody");
    if (oldBody && newBody) {
      mergeRows(oldBody, newBody, key);
      const summary = fresh.querySelector(".review-summary");
      const old = panel.querySelector(".review-summary");
      if (old) old.remove();
      if (summary) panel.querySelector("h2").after(summary);
      return true;
    }
    if (panel.querySelector("details[open], form[data-dirty]")) return false;
    panel.replaceChildren(...fresh.childNodes);
    return true;
  }

  function rememberFocus() {
    const el = document.activeElement;
    if (!el || !el.closest("#jobs-panel, #talks-panel")) return null;
    const id = el.dataset.talk || el.dataset.job;
    return id && el.classList.length ? `${el.localName}.${el.classList[0]}[data-${el.dataset.talk ? "talk" : "job"}="${id}"]` : null;
  }

  // Fetch the page again and merge its lists in; true while there is more to follow.
  async function refresh() {
    let html;
    try {
      const r = await fetch("/admin", { headers: { Accept: "text/html" }, cache: "no-store" });
      if (!r.ok) return true;
      html = await r.text();
    } catch (e) {
      return true;
    }
    const doc = new DOMParser().parseFromString(html, "text/html");
    const jobs = doc.getElementById("jobs-panel");
    const talks = doc.getElementById("talks-panel");
    if (!jobs || !talks) return false; // signed out meanwhile: the sign-in page came back
    const focus = rememberFocus();
    syncPanel("jobs-panel", jobs, "job");
    const merged = syncPanel("talks-panel", talks, "talk");
    if (focus && (!document.activeElement || document.activeElement === document.body)) {
      const again = document.querySelector(focus);
      if (again) again.focus();
    }
    return jobs.dataset.busy === "true" || !merged;
  }

  // every 2 s while a job waits or runs; otherwise every 15 s, so that jobs started elsewhere
  // (the CLI, another tab, a colleague) appear too; nothing while the tab is hidden
  function follow(delay = POLL_MS) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = null;
      if (document.visibilityState === "hidden") { follow(IDLE_MS); return; }
      follow(await refresh() ? POLL_MS : IDLE_MS);
    }, delay);
  }

  follow(document.getElementById("jobs-panel").dataset.busy === "true" ? POLL_MS : IDLE_MS);

  // --- publish, delete, retry ------------------------------------------------------------
  const dialog = document.getElementById("delete-dialog");
  let pending = null;

  async function publish(button) {
    const next = button.dataset.published !== "true";
    const answer = await send("PATCH", `/api/talks/${button.dataset.talk}`, { published: next });
    if (!answer.ok) { sayError(describeError(answer.status, answer.body)); return; }
    listError.hidden = true;
    say(texts[next ? "published_now" : "unpublished_now"].replace("{title}", button.dataset.title));
    await refresh();
  }

  function askDelete(button) {
    pending = button;
    document.getElementById("delete-dialog-text").textContent =
      texts.confirm_delete.replace("{title}", button.dataset.title);
    dialog.returnValue = "";
    dialog.showModal();
  }

  dialog.addEventListener("close", async () => {
    const button = pending;
    pending = null;
    if (!button) return;
    if (dialog.returnValue !== "delete") { button.focus(); return; }
    const answer = await send("DELETE", `/api/talks/${button.dataset.talk}`);
    if (!answer.ok) { sayError(describeError(answer.status, answer.body)); button.focus(); return; }
    listError.hidden = true;
    button.closest("tr").remove();
    say(texts.deleted.replace("{title}", button.dataset.title));
    await refresh();
    const heading = document.getElementById("talks-title");
    heading.tabIndex = -1;
    heading.focus();
  });

  async function retry(button) {
    const answer = await send("POST", `/api/jobs/${button.dataset.job}/retry`);
    if (!answer.ok) { sayError(describeError(answer.status, answer.body)); return; }
    listError.hidden = true;
    await refresh();
    follow();
  }

  document.addEventListener("click", (e) => {
    const target = e.target.closest("button.publish, button.delete, button.retry");
    if (!target) return;
    if (target.classList.contains("publish")) publish(target);
    else if (target.classList.contains("delete")) askDelete(target);
    else retry(target);
  });

  // --- the details editor ----------------------------------------------------------------
  function list(value) {
    return String(value || "").split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  }

  document.addEventListener("input", (e) => {
    const metaForm = e.target.closest("form.meta-form");
    if (metaForm) metaForm.dataset.dirty = "true";
  });

  document.addEventListener("submit", async (e) => {
    const metaForm = e.target.closest("form.meta-form");
    if (!metaForm) return;
    e.preventDefault();
    const f = new FormData(metaForm);
    const text = (name) => String(f.get(name) || "").trim();
    const body = {
      title: text("title"), event: text("event") || null, date: text("date") || null,
      speakers: list(f.get("speakers")), town: text("town") || null, language: text("language"),
      licence: text("licence"), description: text("description") || null, glossary: list(f.get("glossary")),
    };
    const output = metaForm.querySelector("output");
    const old = metaForm.querySelector(".form-failure");
    if (old) old.remove();
    const answer = await send("PATCH", `/api/talks/${metaForm.dataset.talk}`, body);
    if (answer.ok) {
      output.textContent = texts.saved;
      delete metaForm.dataset.dirty;
      const row = metaForm.closest("tr");
      row.querySelector("a.talk-title").textContent = answer.body.title;
      for (const el of row.querySelectorAll("[data-title]")) el.dataset.title = answer.body.title;
      return;
    }
    output.textContent = texts.not_saved;
    const box = document.createElement("div");
    box.className = "form-failure wide";
    showFailure(box, describeError(answer.status, answer.body));
    metaForm.append(box);
  });

  window.talkarchiveAdmin = { texts, csrf, describeError, showFailure, follow };
})();
