// Staff page: drag and drop several recordings, upload with a progress bar each, then follow
// processing (queued -> transcribing n % -> indexing -> ready, or failed with a retry button).
(() => {
  "use strict";
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const chosenList = document.getElementById("chosen");
  const uploads = document.getElementById("uploads");
  let chosen = [];

  function showChosen() {
    chosenList.textContent = "";
    for (const f of chosen) {
      const li = document.createElement("li");
      li.textContent = `${f.name} (${(f.size / 1e6).toFixed(1)} MB)`;
      chosenList.append(li);
    }
  }
  input.addEventListener("change", () => { chosen = Array.from(input.files); showChosen(); });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  }
  drop.addEventListener("drop", (e) => { chosen = chosen.concat(Array.from(e.dataTransfer.files)); showChosen(); });

  function row(file) {
    const li = document.createElement("li");
    li.className = "upload";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", texts.upload_progress + " " + file.name);
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = texts.uploading;
    li.append(name, bar, status);
    uploads.append(li);
    return { li, bar, status };
  }

  function follow(jobId, ui) {
    const tick = async () => {
      const r = await fetch(`/api/jobs/${jobId}`, { headers: { "X-CSRF-Token": csrf } });
      const job = await r.json();
      if (!r.ok) { ui.status.textContent = job.error.message; return; }
      ui.li.dataset.state = job.state;
      ui.bar.value = job.progress;
      ui.bar.setAttribute("aria-label", texts.processing_progress);
      if (job.state === "ready") {
        ui.status.textContent = texts.state_ready;
        const a = document.createElement("a");
        a.href = `/talks/${job.talk_id}`;
        a.textContent = texts.open_talk;
        ui.status.append(" ", a);
        return;
      }
      if (job.state === "failed") {
        ui.status.textContent = `${texts.state_failed}: ${job.error} `;
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = texts.retry;
        b.addEventListener("click", async () => {
          await fetch(`/api/jobs/${jobId}/retry`, { method: "POST", headers: { "X-CSRF-Token": csrf } });
          follow(jobId, ui);
        });
        ui.status.append(b);
        return;
      }
      const pct = Math.round(job.progress * 100);
      ui.status.textContent = `${texts["stage_" + job.stage.split(" ")[0]] || job.stage} ${pct} %`;
      setTimeout(tick, 700);
    };
    tick();
  }

  function send(file) {
    const ui = row(file);
    const data = new FormData();
    data.append("file", file, file.name);
    for (const el of form.querySelectorAll("input[name]:not([type=file]), textarea[name]")) {
      if (el.value.trim()) data.append(el.name, el.value.trim());
    }
    if (chosen.length > 1 && data.has("title")) data.delete("title");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/talks");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        ui.bar.value = e.loaded / e.total;
        ui.status.textContent = `${texts.uploading} ${Math.round((100 * e.loaded) / e.total)} %`;
      }
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 202) {
        ui.bar.value = 0;
        ui.status.textContent = texts.stage_queued;
        follow(body.job.id, ui);
      } else {
        ui.li.dataset.state = "rejected";
        ui.status.textContent = `${texts.state_failed}: ${body.error ? body.error.message : xhr.status}`;
      }
    });
    xhr.addEventListener("error", () => { ui.status.textContent = texts.state_failed; });
    xhr.send(data);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!chosen.length) { input.click(); return; }
    for (const f of chosen) send(f);
    chosen = [];
    showChosen();
  });

  document.addEventListener("submit", async (e) => {
    const metaForm = e.target.closest("form.meta-form");
    if (!metaForm) return;
    e.preventDefault();
    const f = new FormData(metaForm);
    const body = {
      title: f.get("title").trim(),
      event: f.get("event").trim() || null,
      date: f.get("date") || null,
      speakers: f.get("speakers").split(",").map((s) => s.trim()).filter(Boolean),
      town: f.get("town").trim() || null,
      licence: f.get("licence"),
    };
    const r = await fetch(`/api/talks/${metaForm.dataset.talk}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await r.json();
    metaForm.querySelector("output").textContent = r.ok ? texts.saved : answer.error.message;
  });

  document.addEventListener("click", async (e) => {
    const publish = e.target.closest("button.publish");
    const del = e.target.closest("button.delete");
    const retry = e.target.closest("button.retry");
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
    if (publish) {
      const next = publish.dataset.published !== "true";
      const r = await fetch(`/api/talks/${publish.dataset.talk}`, { method: "PATCH", headers, body: JSON.stringify({ published: next }) });
      if (r.ok) location.reload();
    } else if (del) {
      if (!confirm(texts.confirm_delete.replace("{title}", del.dataset.title))) return;
      const r = await fetch(`/api/talks/${del.dataset.talk}`, { method: "DELETE", headers });
      if (r.ok) del.closest("tr").remove();
    } else if (retry) {
      await fetch(`/api/jobs/${retry.dataset.job}/retry`, { method: "POST", headers });
      location.reload();
    }
  });
})();
