// Staff page, day recordings (issue 21): per room and day a timeline scaled to the day (speech
// coloured per voice, slide changes, the planned slots as a thin row, the proposed cuts as
// labelled blocks, those waiting for review marked), the day's player under it, and per cut its
// in and out points: taken from the player, listened to, applied (PATCH /api/talks/{id}/cut
// re-cuts media, transcript and index without transcribing again), and a talk that waited for
// review published once it was reviewed. Everything is drawn from /api/recordings/{hash}.
(() => {
  "use strict";
  const panel = document.getElementById("days-panel");
  if (!panel || !window.talkarchiveAdmin) return;
  const { texts, csrf, describeError, showFailure, follow } = window.talkarchiveAdmin;
  const announce = document.getElementById("announce");
  const lang = document.documentElement.lang || "de";
  let published = JSON.parse(document.getElementById("days-published").textContent || "{}");
  // Okabe-Ito: told apart by most people with a colour vision deficiency too
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  const NO_VOICE = "#9aa3ad";
  const MIN_PPS = 1.5; // pixels per second at least, unless zoomed out: a minute is 90 px
  const MAX_PPS = 32;
  const EAGER = 2; // days drawn at once; the others when they come near the screen
  const TICKS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  const days = new Map(); // recording -> state
  let serial = 0;

  // --- small helpers ---------------------------------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for" || key === "lang") node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children.filter((c) => c !== undefined && c !== null && c !== false));
    return node;
  }

  function hidden(text) { return el("span", { class: "visually-hidden", text }); }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  }

  // seconds of the recording as h:mm:ss
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds + 1e-6));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  function round(seconds) { return Math.round(seconds * 100) / 100; }

  function say(text) { announce.textContent = ""; setTimeout(() => { announce.textContent = text; }, 50); }

  async function send(method, path, body) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
      let answer = null;
      try { answer = await r.json(); } catch (e) { answer = null; }
      return { ok: r.ok, status: r.status, body: answer };
    } catch (e) {
      return { ok: false, status: 0, body: null };
    }
  }

  // --- one day ---------------------------------------------------------------------------
  function stateOf(li) {
    const recording = li.dataset.recording;
    if (!days.has(recording)) {
      serial += 1;
      const zone = li.dataset.timezone || "UTC";
      days.set(recording, {
        li, recording, n: serial, zone, room: li.dataset.room, date: li.dataset.date,
        view: null, pps: null, results: {}, drafts: {}, loading: false,
        wallFormat: new Intl.DateTimeFormat(lang, { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
        hourFormat: new Intl.DateTimeFormat(lang, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      });
    }
    return days.get(recording);
  }

  function wall(day, seconds, withSeconds = true) {
    const at = new Date(Date.parse(day.view.starts_at) + seconds * 1000);
    return (withSeconds ? day.wallFormat : day.hourFormat).format(at);
  }

  function fitPps(day, scroll) {
    const width = (scroll && scroll.clientWidth) || day.li.clientWidth || 600;
    return Math.max(width / Math.max(day.view.duration, 1), 0.01);
  }

  function place(node, start, length) {
    node.style.setProperty("--a", String(start));
    if (length !== undefined) node.style.setProperty("--d", String(Math.max(length, 0)));
    return node;
  }

  function voiceName(speaker) {
    if (!speaker) return texts.day_no_voice;
    const m = /^SPEAKER_(\d+)$/.exec(speaker);
    return m ? fill(texts.voice_n, { n: m[1] }) : speaker;
  }

  function axis(day, row) {
    const pps = day.pps;
    const step = TICKS.find((s) => s * pps >= 72) || TICKS[TICKS.length - 1];
    const origin = Date.parse(day.view.starts_at) / 1000;
    const first = Math.ceil(origin / step) * step - origin; // ticks on round wall-clock times
    const ticks = [];
    for (let t = first; t <= day.view.duration; t += step) {
      ticks.push(place(el("span", { class: "tl-tick", text: wall(day, t, step < 60) }), t));
    }
    row.replaceChildren(...ticks);
  }

  function statusText(status) { return texts[`day_status_${status}`] || status; }

  function cutBlock(day, slot, index) {
    const cut = slot.cut;
    const review = slot.status === "needs_review";
    const label = fill(texts.day_cut_block, { title: slot.title, start: clock(cut.start), end: clock(cut.end) });
    const button = el("button", {
      type: "button", class: `tl-cut${review ? " review" : ""}${index % 2 ? " odd" : ""}`,
      "data-guid": slot.guid, "aria-label": review ? `${label} (${texts.day_legend_review})` : label,
      title: label,
    }, review ? el("span", { class: "tl-flag", "aria-hidden": "true", text: "!" }) : null,
    el("span", { class: "tl-cut-title", text: slot.title }));
    return place(button, cut.start, cut.end - cut.start);
  }

  function timeline(day) {
    const view = day.view;
    const id = `day-${day.n}`;
    const order = new Map();
    for (const s of view.speech) if (s.speaker && !order.has(s.speaker)) order.set(s.speaker, order.size);
    const colour = (speaker) => (speaker && order.has(speaker) ? COLOURS[order.get(speaker) % COLOURS.length] : NO_VOICE);

    const axisRow = el("div", { class: "tl-row tl-axis", "aria-hidden": "true" });
    const plan = el("div", { class: "tl-row tl-plan", "aria-hidden": "true" },
      ...view.slots.map((s) => place(el("span", { class: "tl-slot", title: s.title }), s.planned, s.duration)));
    const speech = el("div", { class: "tl-row tl-speech", "aria-hidden": "true" },
      ...view.speech.map((s) => {
        const span = place(el("span", { class: "tl-say", title: `${voiceName(s.speaker)} ${clock(s.start)}–${clock(s.end)}` }), s.start, s.end - s.start);
        span.style.backgroundColor = colour(s.speaker);
        return span;
      }));
    const slides = el("div", { class: "tl-row tl-slides", "aria-hidden": "true" },
      ...view.slides.map((s) => place(el("span", { class: "tl-slide", title: s.text || "" }), s.start)));
    const cutSlots = view.slots.filter((s) => s.cut);
    const cuts = el("ol", { class: "tl-row tl-cuts", "aria-label": texts.day_row_cuts },
      ...cutSlots.map((s, i) => el("li", {}, cutBlock(day, s, i))));
    const head = el("div", { class: "tl-head", "aria-hidden": "true" });
    const track = el("div", { class: "tl" }, axisRow, plan, speech, slides, cuts, head);
    const scroll = el("div", {
      class: "tl-scroll", role: "region", tabIndex: 0, id: `${id}-timeline`,
      "aria-label": fill(texts.day_timeline, { room: day.room, date: day.date }),
      "aria-describedby": `${id}-hint`,
    }, track);
    const names = el("div", { class: "tl-names", "aria-hidden": "true" },
      el("span", { class: "tl-name-axis" }), el("span", { text: texts.day_row_plan }),
      el("span", { text: texts.day_row_speech }), el("span", { text: texts.day_row_slides }),
      el("span", { class: "tl-name-cuts", text: texts.day_row_cuts }));
    const zoomOut = el("button", { type: "button", class: "secondary zoom-out", text: "−", "aria-label": texts.day_zoom_out, "aria-controls": `${id}-timeline` });
    const zoomIn = el("button", { type: "button", class: "secondary zoom-in", text: "+", "aria-label": texts.day_zoom_in, "aria-controls": `${id}-timeline` });
    const tools = el("div", { class: "tl-tools" },
      el("p", { class: "hint tl-hint", id: `${id}-hint`, text: texts.day_timeline_hint }),
      el("div", { class: "zoom" }, zoomOut, zoomIn));
    const legend = el("ul", { class: "tl-legend", "aria-label": texts.day_row_speech },
      ...[...order.keys()].map((speaker) => {
        const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
        swatch.style.backgroundColor = colour(speaker);
        return el("li", {}, swatch, voiceName(speaker));
      }),
      view.speech.some((s) => !s.speaker) ? el("li", {}, (() => { const sw = el("span", { class: "swatch", "aria-hidden": "true" }); sw.style.backgroundColor = NO_VOICE; return sw; })(), texts.day_no_voice) : null,
      el("li", {}, el("span", { class: "swatch slide", "aria-hidden": "true" }), texts.day_legend_slide),
      el("li", {}, el("span", { class: "swatch plan", "aria-hidden": "true" }), texts.day_legend_plan),
      el("li", {}, el("span", { class: "swatch review", "aria-hidden": "true" }), texts.day_legend_review));

    Object.assign(day, { scroll, track, axisRow, head, zoomIn, zoomOut });
    zoomIn.addEventListener("click", () => zoom(day, 2));
    zoomOut.addEventListener("click", () => zoom(day, 0.5));
    track.addEventListener("click", (e) => {
      if (e.target.closest("button")) return;
      const box = track.getBoundingClientRect();
      seek(day, (e.clientX - box.left) / day.pps, false);
    });
    cuts.addEventListener("click", (e) => {
      const block = e.target.closest("button.tl-cut");
      if (!block) return;
      const item = day.li.querySelector(`.cut-item[data-guid="${CSS.escape(block.dataset.guid)}"]`);
      const slot = view.slots.find((s) => s.guid === block.dataset.guid);
      if (slot && slot.cut) seek(day, slot.cut.start, false);
      if (item) {
        item.scrollIntoView({ block: "nearest" });
        item.querySelector("input[name=start]").focus({ preventScroll: true });
      }
    });
    return el("div", { class: "tl-box" }, tools, el("div", { class: "tl-frame" }, names, scroll), legend);
  }

  function scale(day, pps) {
    day.pps = Math.min(MAX_PPS, Math.max(pps, fitPps(day, day.scroll)));
    day.track.style.setProperty("--pps", String(day.pps));
    day.track.style.width = `${Math.ceil(day.view.duration * day.pps)}px`;
    day.zoomOut.disabled = day.pps <= fitPps(day, day.scroll) + 1e-9;
    day.zoomIn.disabled = day.pps >= MAX_PPS;
    axis(day, day.axisRow);
    moveHead(day);
  }

  function zoom(day, factor) {
    const middle = (day.scroll.scrollLeft + day.scroll.clientWidth / 2) / day.pps;
    day.zoomed = true;
    scale(day, day.pps * factor);
    day.scroll.scrollLeft = middle * day.pps - day.scroll.clientWidth / 2;
  }

  function moveHead(day) {
    if (!day.head || !day.video) return;
    place(day.head, day.video.currentTime || 0);
    day.position.textContent = `${clock(day.video.currentTime || 0)} · ${fill(texts.day_wall, { t: wall(day, day.video.currentTime || 0) })}`;
  }

  // the playhead in view while playing or after a jump
  function keepInView(day, force) {
    const x = (day.video.currentTime || 0) * day.pps;
    const left = day.scroll.scrollLeft;
    const width = day.scroll.clientWidth;
    if (force || x < left || x > left + width - 24) day.scroll.scrollLeft = Math.max(0, x - width / 3);
  }

  function seek(day, seconds, play) {
    const video = day.video;
    video.currentTime = Math.min(Math.max(seconds, 0), day.view.duration);
    moveHead(day);
    keepInView(day, true);
    if (play) {
      const shown = video.getBoundingClientRect();
      if (shown.bottom < 0 || shown.top > window.innerHeight) video.scrollIntoView({ block: "nearest" });
      const playing = video.play();
      if (playing && playing.catch) playing.catch(() => {});
    }
  }

  function player(day) {
    if (!day.video) {
      const media = day.li.dataset.video === "true" ? "video" : "audio";
      day.video = el(media, {
        controls: true, preload: "metadata", class: "day-media",
        src: `/api/recordings/${encodeURIComponent(day.recording)}/media`,
        "aria-label": fill(texts.day_player, { room: day.room }),
      });
      day.position = el("output", { class: "day-position-now" });
      day.video.addEventListener("timeupdate", () => { moveHead(day); if (!day.video.paused) keepInView(day, false); });
      day.video.addEventListener("seeked", () => moveHead(day));
    }
    return el("div", { class: "day-player" }, day.video,
      el("p", { class: "day-position" }, `${texts.day_position}: `, day.position));
  }

  // --- one cut ---------------------------------------------------------------------------
  function facts(day, slot) {
    const parts = [fill(texts.day_planned, { start: wall(day, slot.planned, false), end: wall(day, slot.planned + slot.duration, false) })];
    const cut = slot.cut;
    if (cut) {
      parts.push(fill(texts.day_cut_facts, { start: clock(cut.start), end: clock(cut.end), length: clock(cut.end - cut.start) }));
      parts.push(texts[`day_source_${cut.source}`] || cut.source);
      parts.push(fill(texts.day_confidence, { p: Math.round((cut.confidence || 0) * 100) }));
      parts.push(cut.reviewed ? texts.day_reviewed : texts.day_not_reviewed);
      if (slot.talk_id in published) parts.push(published[slot.talk_id] ? texts.day_public : texts.day_not_public);
    }
    return el("p", { class: "cut-facts", text: parts.join(" · ") });
  }

  function pointField(day, slot, which, value) {
    const id = `day-${day.n}-${slot.guid}-${which}`;
    const input = el("input", {
      id, type: "number", name: which, step: "any", min: "0", max: String(day.view.duration),
      inputMode: "decimal", value: String(value), required: true, class: "cut-seconds",
      "aria-describedby": `${id}-at`,
    });
    const at = el("output", { id: `${id}-at`, for: id, class: "cut-at" });
    const show = () => {
      const v = Number(input.value);
      at.textContent = input.value !== "" && Number.isFinite(v) ? `= ${clock(v)} · ${fill(texts.day_wall, { t: wall(day, v) })}` : "";
    };
    show();
    input.addEventListener("input", show);
    const label = el("label", { for: id }, which === "start" ? texts.day_in : texts.day_out,
      el("span", { class: "unit", text: ` (${texts.day_seconds})` }), hidden(`: ${slot.title}`));
    const take = el("button", { type: "button", class: `secondary take-${which}` },
      which === "start" ? texts.day_in_here : texts.day_out_here, hidden(`: ${slot.title}`));
    take.addEventListener("click", () => {
      input.value = String(round(day.video.currentTime || 0));
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    return el("div", { class: "cut-point" }, label, input, at, take);
  }

  function cutItem(day, slot) {
    const item = el("li", { class: "cut-item", "data-guid": slot.guid, "data-status": slot.status, id: `day-${day.n}-${slot.guid}` });
    const badge = el("span", { class: `badge day-status day-status-${slot.status}`, text: statusText(slot.status) });
    item.append(el("div", { class: "cut-head" }, el("h4", { text: slot.title }), badge), facts(day, slot));
    const cut = slot.cut;
    if (!cut || !slot.talk_id) {
      item.append(el("p", { class: "cut-none", text: slot.status === "not_recorded" ? texts.day_not_recorded_text : texts.day_missing_text }));
      return item;
    }
    if (cut.evidence && cut.evidence.length) {
      item.append(el("div", { class: "cut-evidence" },
        el("p", { class: "cut-evidence-title", text: `${texts.day_evidence}:` }),
        el("ul", { lang: "de" }, ...cut.evidence.map((e) => el("li", { text: e })))));
    }
    const draft = day.drafts[slot.guid] || { start: cut.start, end: cut.end };
    const form = el("form", { class: "cut-form", noValidate: true, "data-talk": slot.talk_id });
    const result = el("div", { class: "cut-result" }); // read out through #announce
    const apply = el("button", { type: "submit", class: "apply" }, texts.day_apply, hidden(`: ${slot.title}`));
    const listen = el("button", { type: "button", class: "secondary listen" }, texts.day_listen, hidden(`: ${slot.title}`));
    const open = el("a", { href: `/talks/${encodeURIComponent(slot.talk_id)}`, class: "open-talk" }, texts.day_open_talk, hidden(`: ${slot.title}`));
    const actions = el("div", { class: "cut-actions" }, listen, apply, open);
    if (published[slot.talk_id] === false) {
      if (cut.reviewed) {
        const publish = el("button", { type: "button", class: "day-publish" }, texts.day_publish, hidden(`: ${slot.title}`));
        publish.addEventListener("click", () => publishTalk(day, slot, publish));
        actions.append(publish);
      } else {
        actions.append(el("p", { class: "hint publish-after", text: texts.day_publish_after }));
      }
    }
    form.append(el("div", { class: "cut-points" }, pointField(day, slot, "start", draft.start), pointField(day, slot, "end", draft.end)), actions, result);
    const shown = day.results[slot.guid];
    if (shown) {
      result.dataset.kind = shown.kind;
      if (shown.failure) showFailure(result, shown.failure); else result.append(el("p", { text: shown.text }));
    }
    form.addEventListener("input", () => {
      const start = Number(form.elements.start.value);
      const end = Number(form.elements.end.value);
      day.drafts[slot.guid] = { start: form.elements.start.value, end: form.elements.end.value };
      form.dataset.dirty = "true";
      result.dataset.kind = "changed";
      result.replaceChildren(el("p", { text: texts.day_changed }));
      const block = day.track.querySelector(`button.tl-cut[data-guid="${CSS.escape(slot.guid)}"]`);
      if (block && Number.isFinite(start) && Number.isFinite(end) && end > start) {
        place(block, start, end - start);
        block.classList.add("pending");
      }
    });
    listen.addEventListener("click", () => seek(day, Number(form.elements.start.value) || 0, true));
    form.addEventListener("submit", (e) => { e.preventDefault(); applyCut(day, slot, form, apply, result); });
    item.append(form);
    return item;
  }

  async function applyCut(day, slot, form, apply, result) {
    const start = Number(form.elements.start.value);
    const end = Number(form.elements.end.value);
    const length = day.view.duration;
    if (form.elements.start.value === "" || form.elements.end.value === "" || !(start >= 0 && start < end && end <= length + 0.001)) {
      result.dataset.kind = "error";
      result.replaceChildren(el("p", { class: "failure-message", text: fill(texts.day_invalid, { length: round(length) }) }));
      say(fill(texts.day_invalid, { length: round(length) }));
      (start >= 0 && start < length ? form.elements.end : form.elements.start).focus();
      return;
    }
    apply.disabled = true;
    result.dataset.kind = "busy";
    result.replaceChildren(el("p", { text: texts.day_applying }));
    say(texts.day_applying);
    const answer = await send("PATCH", `/api/talks/${encodeURIComponent(slot.talk_id)}/cut`, { start, end });
    apply.disabled = false;
    if (!answer.ok) {
      const failure = describeError(answer.status, answer.body);
      result.dataset.kind = "error";
      result.replaceChildren();
      showFailure(result, failure);
      say(failure.message);
      return;
    }
    const cut = answer.body.cut;
    let text = fill(texts.day_applied, { start: clock(cut.start), end: clock(cut.end), length: clock(cut.end - cut.start) });
    if (Math.abs(cut.start - start) > 0.05 || Math.abs(cut.end - end) > 0.05) text += ` ${texts.day_snapped}`;
    delete day.drafts[slot.guid];
    day.results[slot.guid] = { kind: "done", text };
    if (answer.body.published !== undefined) published[slot.talk_id] = answer.body.published;
    say(text);
    await load(day, `.cut-item[data-guid="${CSS.escape(slot.guid)}"] button.apply`);
    follow(0); // the talk list (its duration, its state) follows
  }

  async function publishTalk(day, slot, button) {
    button.disabled = true;
    const result = button.closest("form").querySelector(".cut-result");
    result.dataset.kind = "busy";
    result.replaceChildren(el("p", { text: texts.day_publishing }));
    say(texts.day_publishing);
    const answer = await send("PATCH", `/api/talks/${encodeURIComponent(slot.talk_id)}`, { published: true });
    button.disabled = false;
    if (!answer.ok) {
      const failure = describeError(answer.status, answer.body);
      day.results[slot.guid] = { kind: "error", failure };
      say(failure.message);
    } else {
      published[slot.talk_id] = true;
      const text = fill(texts.day_published_now, { title: answer.body.title || slot.title });
      day.results[slot.guid] = { kind: "done", text };
      say(text);
    }
    draw(day, `.cut-item[data-guid="${CSS.escape(slot.guid)}"] a.open-talk`);
    follow(0);
  }

  // --- drawing and loading ---------------------------------------------------------------
  function draw(day, focus) {
    const view = day.view;
    const body = day.li.querySelector(".day-body");
    const scrollLeft = day.scroll ? day.scroll.scrollLeft : null;
    const cut = view.slots.filter((s) => s.cut).length;
    const voices = new Set(view.speech.map((s) => s.speaker).filter(Boolean)).size;
    const summary = el("p", { class: "day-summary", text: fill(texts.day_summary, {
      speech: view.speech.length, voices, slides: view.slides.length, cuts: cut, slots: view.slots.length }) });
    const box = timeline(day);
    const list = el("ol", { class: "cut-list", "aria-label": texts.day_cuts_title }, ...view.slots.map((s) => cutItem(day, s)));
    body.replaceChildren(summary, box, el("div", { class: "day-work" }, player(day), list));
    scale(day, day.zoomed && day.pps ? day.pps : Math.max(MIN_PPS, fitPps(day, day.scroll)));
    if (scrollLeft !== null) day.scroll.scrollLeft = scrollLeft;
    for (const guid of Object.keys(day.drafts)) { // typed and not applied: still shown as such
      const form = body.querySelector(`.cut-item[data-guid="${CSS.escape(guid)}"] form`);
      if (form) form.elements.start.dispatchEvent(new Event("input", { bubbles: true }));
      else delete day.drafts[guid];
    }
    if (focus) {
      const target = body.querySelector(focus);
      if (target) target.focus();
    }
  }

  async function load(day, focus) {
    if (day.loading) return;
    day.loading = true;
    const answer = await send("GET", `/api/recordings/${encodeURIComponent(day.recording)}`);
    day.loading = false;
    const body = day.li.querySelector(".day-body");
    if (!answer.ok) {
      const box = el("div", { class: "notice error day-failed" });
      body.replaceChildren(box);
      showFailure(box, { ...describeError(answer.status, answer.body), message: texts.day_load_failed });
      return;
    }
    day.view = answer.body;
    draw(day, focus);
  }

  // each day's timeline once it comes near the screen
  const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      watcher.unobserve(entry.target);
      load(stateOf(entry.target));
    }
  }, { rootMargin: "600px 0px" }) : null;

  function watch(li, now) {
    const day = stateOf(li);
    if (watcher && !now) watcher.observe(li); else load(day);
  }

  // the newest days at once, the older ones as they come near
  document.querySelectorAll("#days .day").forEach((li, i) => watch(li, i < EAGER));

  // a day recording finished meanwhile (the processing list says a job is ready): take its
  // entry from the page as the server renders it
  const seenReady = new Set(Array.from(document.querySelectorAll('#jobs-panel tr[data-state="ready"]')).map((r) => r.dataset.job));
  let checking = null;
  async function newDays() {
    let html;
    try {
      const r = await fetch("/admin", { headers: { Accept: "text/html" }, cache: "no-store" });
      if (!r.ok) return;
      html = await r.text();
    } catch (e) {
      return;
    }
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("days");
    const map = doc.getElementById("days-published");
    if (map) published = { ...JSON.parse(map.textContent || "{}"), ...published };
    if (!fresh) return;
    let list = document.getElementById("days");
    if (!list) {
      const empty = document.getElementById("days-empty");
      const intro = doc.querySelector("#days-panel .days-intro");
      list = el("ul", { class: "days", id: "days" });
      if (empty) empty.replaceWith(...(intro ? [intro] : []), list);
      else panel.append(list);
    }
    let before = list.firstElementChild;
    for (const li of Array.from(fresh.children)) {
      const known = list.querySelector(`.day[data-recording="${CSS.escape(li.dataset.recording)}"]`);
      if (known) { before = known.nextElementSibling; continue; }
      const node = document.importNode(li, true);
      list.insertBefore(node, before);
      watch(node, true);
    }
  }

  const jobs = document.getElementById("jobs-panel");
  if (jobs && "MutationObserver" in window) {
    new MutationObserver(() => {
      const ready = Array.from(document.querySelectorAll('#jobs-panel tr[data-state="ready"]')).map((r) => r.dataset.job);
      if (ready.every((id) => seenReady.has(id))) return;
      ready.forEach((id) => seenReady.add(id));
      clearTimeout(checking);
      checking = setTimeout(newDays, 300);
    }).observe(jobs, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-state"] });
  }
})();
