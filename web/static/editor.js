// Staff on the talk page: correct a sentence in place; the server keeps the history, keeps word
// timings where the words still match and updates the search index.
(() => {
  "use strict";
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";
  const talk = document.querySelector(".talk-page").dataset.talk;

  function words(p, list) {
    p.textContent = "";
    for (const w of list) {
      const span = document.createElement("span");
      span.className = "w";
      span.dataset.t = w.start;
      span.dataset.e = w.end;
      span.textContent = w.word.trim();
      p.append(span, " ");
    }
  }

  // The technical reason of a failed save, for the technician; staff read a German sentence.
  function failure(box, body, status) {
    for (const old of box.querySelectorAll(".editor-failure")) old.remove();
    const p = document.createElement("p");
    p.className = "editor-failure";
    p.setAttribute("role", "alert");
    p.textContent = `${texts.not_saved} ${status === 401 || status === 403 ? texts.err_signed_out
      : status === 0 ? texts.err_network : status === 400 || status === 422 ? texts.err_input : texts.err_generic}`;
    box.append(p);
    if (body && body.error) {
      const details = document.createElement("details");
      details.className = "tech editor-failure";
      const summary = document.createElement("summary");
      summary.textContent = texts.technical_details;
      const code = document.createElement("code");
      code.textContent = `${status} ${body.error.code}: ${body.error.message}`;
      details.append(summary, code);
      box.append(details);
    }
  }

  function button(text, className) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }

  function open(editButton) {
    const li = editButton.closest(".seg");
    const p = li.querySelector("p");
    const area = document.createElement("textarea");
    area.value = p.textContent.trim().replace(/\s+/g, " ");
    area.rows = 3;
    area.setAttribute("aria-label", texts.edit_segment);
    const hint = document.createElement("span");
    hint.className = "editor-keys";
    hint.id = `editor-keys-${li.dataset.n}`;
    hint.textContent = texts.editor_keys;
    area.setAttribute("aria-describedby", hint.id);
    const save = button(texts.save, "save");
    const cancel = button(texts.cancel, "cancel secondary");
    const buttons = document.createElement("div");
    buttons.className = "editor-buttons";
    buttons.append(save, cancel, hint);
    const box = document.createElement("div");
    box.className = "editing";
    box.append(area, buttons);
    p.hidden = true;
    editButton.hidden = true;
    li.append(box);
    area.focus();
    const close = () => { box.remove(); p.hidden = false; editButton.hidden = false; editButton.focus(); };
    const store = async () => {
      save.disabled = true;
      let r = null;
      let body = null;
      try {
        r = await fetch(`/api/talks/${talk}/segments/${li.dataset.n}`, {
          method: "PATCH",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ text: area.value }),
        });
        body = await r.json();
      } catch (e) { body = null; }
      save.disabled = false;
      if (!r || !r.ok) { failure(box, body, r ? r.status : 0); return; }
      words(p, body.words);
      li.dataset.saved = "true";
      close();
    };
    cancel.addEventListener("click", close);
    save.addEventListener("click", store);
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
      else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target === area) { e.preventDefault(); store(); }
    });
  }

  document.getElementById("transcript").addEventListener("click", (event) => {
    const editButton = event.target.closest("button.edit");
    if (!editButton) return;
    event.stopPropagation();
    open(editButton);
  });

  // Names for voices: listed speakers are offered, a remembered voice's name is suggested.
  const voices = document.getElementById("voices");
  if (voices) {
    voices.addEventListener("click", (event) => {
      const accept = event.target.closest("button.accept");
      if (!accept) return;
      document.getElementById(accept.dataset.for).value = accept.dataset.name;
    });
    voices.addEventListener("submit", async (event) => {
      event.preventDefault();
      const names = {};
      for (const input of voices.querySelectorAll("input[name]")) names[input.name] = input.value.trim();
      const r = await fetch(`/api/talks/${talk}/speakers`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(names),
      });
      const body = await r.json();
      if (!r.ok) { document.getElementById("voices-state").textContent = body.error.message; return; }
      window.location.reload();
    });
  }
})();
