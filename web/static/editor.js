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

  document.getElementById("transcript").addEventListener("click", (event) => {
    const button = event.target.closest("button.edit");
    if (!button) return;
    event.stopPropagation();
    const li = button.closest(".seg");
    const p = li.querySelector("p");
    const area = document.createElement("textarea");
    area.value = p.textContent.trim().replace(/\s+/g, " ");
    area.rows = 3;
    area.setAttribute("aria-label", texts.edit_segment);
    const save = document.createElement("button");
    save.type = "button";
    save.textContent = texts.save;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = texts.cancel;
    const box = document.createElement("div");
    box.className = "editing";
    box.append(area, save, cancel);
    p.hidden = true;
    button.hidden = true;
    li.append(box);
    area.focus();
    const close = () => { box.remove(); p.hidden = false; button.hidden = false; button.focus(); };
    cancel.addEventListener("click", close);
    save.addEventListener("click", async () => {
      const r = await fetch(`/api/talks/${talk}/segments/${li.dataset.n}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ text: area.value }),
      });
      const body = await r.json();
      if (!r.ok) { alert(body.error.message); return; }
      words(p, body.words);
      li.dataset.saved = "true";
      close();
    });
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
