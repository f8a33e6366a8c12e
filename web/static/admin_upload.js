// Staff page, upload form: each chosen (or dropped) file gets a row with its own title,
// prefilled from its name; the details below apply to all of them. Files go up one after the
// other with a progress bar each; a file the server refuses keeps its row and everything typed,
// and the form is cleared once every file was accepted. Processing is followed in admin.js.
// A room's day recording (one file only) is sent with its room and start, to be cut along the
// programme (admin_days.js shows the cuts).
(() => {
  "use strict";
  const { texts, csrf, describeError, showFailure, follow } = window.talkarchiveAdmin;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const box = document.getElementById("chosen-box");
  const chosenList = document.getElementById("chosen");
  const shared = form.querySelector("fieldset.shared");
  const publishNow = document.getElementById("publish-now");
  const button = document.getElementById("upload-button");
  const message = document.getElementById("upload-message");
  const uploads = document.getElementById("uploads");
  const dayPart = document.getElementById("day-part");
  const dayRoom = document.getElementById("day-room");
  const dayStart = document.getElementById("day-starts-at");
  const daySingle = document.getElementById("day-single");
  const lang = document.documentElement.lang || "de";
  let entries = [];

  function stem(name) {
    return name.replace(/\.[^.]+$/, "").replace(/_+/g, " ").trim() || name;
  }

  function size(bytes) {
    if (bytes < 1e6) return `${Math.max(1, Math.round(bytes / 1e3)).toLocaleString(lang)} KB`;
    return `${(bytes / 1e6).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`;
  }

  function hidden(text) {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function removeEntry(entry) {
    const at = entries.indexOf(entry);
    entries = entries.filter((e) => e !== entry);
    entry.row.remove();
    box.hidden = entries.length === 0;
    checkDay();
    const next = entries[Math.min(at, entries.length - 1)];
    if (next) next.title.focus(); else input.focus();
  }

  function addFiles(files) {
    for (const file of files) {
      const entry = { file };
      const li = document.createElement("li");
      li.className = "chosen-file";
      const name = document.createElement("span");
      name.className = "file-name";
      name.textContent = `${file.name} · ${size(file.size)}`;
      const label = document.createElement("label");
      const title = document.createElement("input");
      title.name = "title";
      title.maxLength = 500;
      title.value = stem(file.name);
      title.autocomplete = "off";
      label.append(texts.title_label, hidden(` ${texts.title_for_file.replace("{name}", file.name)}`), title);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary remove-file";
      remove.append(texts.remove, hidden(`: ${file.name}`));
      remove.addEventListener("click", () => removeEntry(entry));
      li.append(name, label, remove);
      Object.assign(entry, { row: li, title });
      entries.push(entry);
      chosenList.append(li);
    }
    box.hidden = entries.length === 0;
    message.textContent = "";
    checkDay();
  }

  // a day recording is one file: with a room given, a second file is refused before sending
  function dayWanted() { return dayRoom.value.trim() !== ""; }
  function checkDay() {
    daySingle.hidden = !(dayWanted() && entries.length > 1);
    return daySingle.hidden;
  }
  dayRoom.addEventListener("input", checkDay);

  input.addEventListener("change", () => { addFiles(Array.from(input.files)); input.value = ""; });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  }
  drop.addEventListener("drop", (e) => addFiles(Array.from(e.dataTransfer.files)));

  function uploadRow(label) {
    const li = document.createElement("li");
    li.className = "upload";
    li.dataset.state = "uploading";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = label;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `${texts.upload_progress} ${label}`);
    const status = document.createElement("div");
    status.className = "status";
    status.textContent = texts.uploading;
    li.append(name, bar, status);
    uploads.prepend(li);
    return { li, bar, status };
  }

  function rejected(ui, failure) {
    ui.li.dataset.state = "rejected";
    ui.bar.remove(); // nothing was accepted: no full bar
    ui.status.textContent = "";
    showFailure(ui.status, failure);
  }

  // One file up; resolves true when the server accepted it (202, a job is queued).
  function send(entry, details) {
    return new Promise((resolve) => {
      const ui = uploadRow(entry.title.value.trim() || entry.file.name);
      const data = new FormData();
      data.append("file", entry.file, entry.file.name);
      if (entry.title.value.trim() && !dayWanted()) data.append("title", entry.title.value.trim());
      for (const [name, value] of details) data.append(name, value);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/talks");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        ui.bar.value = e.loaded / e.total;
        ui.status.textContent = `${texts.uploading} ${Math.round((100 * e.loaded) / e.total)} %`;
      });
      xhr.addEventListener("load", () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 202) {
          ui.li.dataset.state = "accepted";
          ui.li.dataset.job = body.job.id;
          ui.bar.value = 1;
          ui.status.textContent = texts.uploaded;
          follow(0);
          resolve(true);
        } else {
          rejected(ui, describeError(xhr.status, body));
          resolve(false);
        }
      });
      xhr.addEventListener("error", () => { rejected(ui, describeError(0, null)); resolve(false); });
      xhr.send(data);
    });
  }

  function sharedDetails() {
    const details = [];
    for (const el of shared.querySelectorAll("[name]")) {
      if (el.value.trim()) details.push([el.name, el.value.trim()]);
    }
    details.push(["published", publishNow.checked ? "true" : "false"]);
    if (dayWanted()) {
      details.push(["room", dayRoom.value.trim()]);
      // datetime-local: a local time without zone, which the server takes in the event's
      if (dayStart.value) details.push(["starts_at", dayStart.value]);
    }
    return details;
  }

  function clearShared() {
    for (const el of shared.querySelectorAll("input, textarea")) el.value = el.defaultValue;
    for (const select of shared.querySelectorAll("select")) {
      for (const option of select.options) option.selected = option.defaultSelected;
    }
    publishNow.checked = publishNow.defaultChecked;
    dayRoom.value = "";
    dayStart.value = "";
    checkDay();
  }

  function setBusy(busy) {
    button.disabled = busy;
    shared.disabled = busy;
    dayPart.disabled = busy;
    for (const entry of entries) entry.title.readOnly = busy;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!entries.length) { message.textContent = texts.no_files_chosen; input.focus(); return; }
    if (!checkDay()) {
      message.dataset.kind = "error";
      message.textContent = texts.day_single_file;
      dayRoom.focus();
      return;
    }
    const batch = entries.slice();
    const details = sharedDetails();
    setBusy(true);
    message.textContent = "";
    let accepted = 0;
    for (const entry of batch) {
      if (await send(entry, details)) {
        accepted += 1;
        entries = entries.filter((x) => x !== entry);
        entry.row.remove();
      }
    }
    setBusy(false);
    box.hidden = entries.length === 0;
    if (accepted === batch.length) {
      clearShared();
      message.dataset.kind = "done";
      message.textContent = accepted === 1 ? texts.upload_done_one : texts.upload_done_many.replace("{n}", accepted);
    } else {
      message.dataset.kind = "error";
      message.textContent = batch.length === 1 ? texts.upload_failed_one
        : texts.upload_partly.replace("{n}", batch.length - accepted).replace("{total}", batch.length);
    }
  });
})();
