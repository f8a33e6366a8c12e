// The talk page and the embedded player (/embed/{id}): start at #t= or ?t=, highlight the current
// segment and word while playing, click a word to seek, keyboard control; on the talk page also
// search inside the talk, copy a link to the moment, cite it and embed it (the embed has none).
(() => {
  "use strict";
  const video = document.getElementById("player");
  const article = document.querySelector(".talk-page");
  const list = document.getElementById("transcript");
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const segments = Array.from(list.querySelectorAll(".seg"));
  const starts = segments.map((s) => parseFloat(s.dataset.start));
  let currentSeg = null;
  let currentWord = null;

  function seek(t, play) {
    video.currentTime = Math.max(0, t);
    if (play) video.play().catch(() => {});
    highlight();
  }

  function indexAt(t) {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  // keep the current sentence in view: a transcript with its own scrollbar (wide screens, the
  // embed) scrolls itself; on a phone the page scrolls, below the player that sticks on top,
  // unless the reader has scrolled away from the transcript (to the downloads, say)
  const stage = document.querySelector(".stage");
  function follow(seg) {
    const r = seg.getBoundingClientRect();
    if (list.scrollHeight > list.clientHeight + 1 && getComputedStyle(list).overflowY !== "visible") {
      const box = list.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) list.scrollTop += r.top - box.top - 40;
      return;
    }
    const sticky = stage && getComputedStyle(stage).position === "sticky";
    const under = sticky ? stage.getBoundingClientRect().bottom : 0; // what the player covers now
    const box = list.getBoundingClientRect();
    if (box.bottom < under || box.top > window.innerHeight) return;
    // scrolled, the player sticks at the top: the sentence goes right under it
    if (r.top < under || r.bottom > window.innerHeight) window.scrollBy(0, r.top - (sticky ? stage.offsetHeight : 0) - 12);
  }

  function highlight() {
    const t = video.currentTime;
    const i = indexAt(t);
    const seg = i >= 0 ? segments[i] : null;
    if (seg !== currentSeg) {
      if (currentSeg) { currentSeg.classList.remove("current"); currentSeg.removeAttribute("aria-current"); }
      if (seg) {
        seg.classList.add("current");
        seg.setAttribute("aria-current", "true");
        follow(seg);
      }
      currentSeg = seg;
    }
    let word = null;
    if (seg) {
      for (const w of seg.querySelectorAll(".w")) {
        if (parseFloat(w.dataset.t) <= t + 0.05) word = w; else break;
      }
    }
    if (word !== currentWord) {
      if (currentWord) currentWord.classList.remove("now");
      if (word) word.classList.add("now");
      currentWord = word;
    }
  }

  // start at #t= (a W3C media fragment: "83", "83,90", "npt:83", "1:23", "0:01:23") or ?t=
  function fragmentTime(hash) {
    const match = /(?:^#|&)t=(?:npt:)?([0-9:.]+)/.exec(hash || "");
    if (!match) return null;
    const parts = match[1].split(":").map(Number);
    if (parts.some((n) => !Number.isFinite(n)) || parts.length > 3) return null;
    return parts.reduce((total, n) => total * 60 + n, 0);
  }
  const fromHash = fragmentTime(location.hash);
  const start = fromHash !== null ? fromHash : parseFloat(article.dataset.start || "0");
  window.addEventListener("hashchange", () => {
    const t = fragmentTime(location.hash);
    if (t !== null) seek(t, true);
  });
  function startAt() {
    if (start > 0 && Math.abs(video.currentTime - start) > 0.3) video.currentTime = start;
    highlight();
    if (start > 0) video.play().catch(() => {});
  }
  if (video.readyState >= 1) startAt(); else video.addEventListener("loadedmetadata", startAt, { once: true });

  video.addEventListener("timeupdate", highlight);
  video.addEventListener("seeked", highlight);

  list.addEventListener("click", (event) => {
    const target = event.target.closest("[data-t]");
    if (target) seek(parseFloat(target.dataset.t), true);
  });

  // slide thumbnails along the timeline: a click plays from the slide, the shown one is marked
  const strip = document.getElementById("slides");
  if (strip) {
    const slides = Array.from(strip.querySelectorAll(".slide"));
    strip.addEventListener("click", (event) => {
      const target = event.target.closest("[data-t]");
      if (target) seek(parseFloat(target.dataset.t), true);
    });
    const markSlide = () => {
      let shown = null;
      for (const s of slides) if (parseFloat(s.dataset.t) <= video.currentTime + 0.05) shown = s;
      for (const s of slides) {
        if (s === shown) s.setAttribute("aria-current", "true");
        else s.removeAttribute("aria-current");
      }
    };
    video.addEventListener("timeupdate", markSlide);
    video.addEventListener("seeked", markSlide);
  }

  // chapters: marks along the timeline under the player (each as wide as its chapter, filled as
  // far as the player is), the current one named under them, and the chapter list; a click plays
  // from the chapter's start
  const bar = document.getElementById("chapter-bar");
  const chapterList = document.getElementById("chapter-list");
  if (bar) {
    const marks = Array.from(bar.querySelectorAll(".mark"));
    const items = chapterList ? Array.from(chapterList.querySelectorAll(".chapter")) : [];
    const now = document.getElementById("chapter-now");
    for (const li of bar.querySelectorAll("li")) li.style.flexGrow = li.dataset.share;
    bar.hidden = false;
    let shownChapter = -2;
    const markChapter = () => {
      const t = video.currentTime;
      let current = -1;
      marks.forEach((m, i) => {
        const from = parseFloat(m.dataset.t);
        const to = parseFloat(m.dataset.end);
        if (from <= t + 0.05) current = i;
        const part = Math.min(1, Math.max(0, (t - from) / Math.max(to - from, 0.001)));
        m.firstElementChild.style.transform = `scaleX(${part})`;
      });
      if (current === shownChapter) return;
      shownChapter = current;
      [marks, items].forEach((list) => list.forEach((el, i) => {
        if (i === current) el.setAttribute("aria-current", "true"); else el.removeAttribute("aria-current");
      }));
      const n = now.querySelector(".n");
      n.textContent = current >= 0 ? n.dataset.of.replace("{n}", String(current + 1)).replace("{count}", n.dataset.count) + ":" : "";
      now.querySelector(".name").textContent = current >= 0 ? marks[current].title : "";
    };
    const onClick = (event) => {
      const target = event.target.closest("[data-t]");
      if (target) seek(parseFloat(target.dataset.t), true);
    };
    bar.addEventListener("click", onClick);
    if (chapterList) chapterList.addEventListener("click", onClick);
    video.addEventListener("timeupdate", markChapter);
    video.addEventListener("seeked", markChapter);
    markChapter();
  }
  const copyChapters = document.getElementById("copy-chapters");
  if (copyChapters) copyChapters.addEventListener("click", async () => {
    if (await copyText(document.getElementById("chapter-text"))) {
      document.getElementById("chapters-state").textContent = texts.chapters_text_copied;
    }
  });

  // copy an element's text; where the clipboard is refused, select it for the reader to copy
  async function copyText(element) {
    try {
      await navigator.clipboard.writeText(element.textContent);
      return true;
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(element);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return false;
    }
  }

  // copy a link to this moment
  const copy = document.getElementById("copy-link");
  const out = document.getElementById("moment-link");
  if (copy) copy.addEventListener("click", async () => {
    const url = new URL(location.href);
    url.search = "";
    url.hash = ""; // "#transcript-section" after the skip link is no part of the moment
    url.searchParams.set("t", String(Math.floor(video.currentTime)));
    out.textContent = url.toString();
    if (await copyText(out)) out.textContent = texts.copied + ": " + url.toString();
  });

  // cite this moment (the player's second) or the whole talk, in the page's language
  const citeBox = document.getElementById("cite");
  const citation = document.getElementById("citation");
  const citeState = document.getElementById("cite-state");
  const citeWhole = document.getElementById("cite-whole");
  function clock(t) {
    const s = Math.floor(t);
    const two = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    return h ? `${h}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
  }
  function updateCitation() {
    const t = Math.floor(video.currentTime);
    const moment = !citeWhole.checked && t > 0;
    citation.textContent = moment
      ? citeBox.dataset.moment.replace("__T__", String(t)).replace("__CLOCK__", clock(t))
      : citeBox.dataset.whole;
    document.getElementById("cite-at").textContent = clock(t);
    for (const a of citeBox.querySelectorAll("a[data-cite]")) {
      const url = new URL(a.href, location.href);
      if (moment) url.searchParams.set("t", String(t)); else url.searchParams.delete("t");
      a.href = url.pathname + url.search;
    }
  }
  if (citeBox) {
    for (const radio of citeBox.querySelectorAll('input[name="cite-scope"]')) {
      radio.addEventListener("change", () => { citeState.textContent = ""; updateCitation(); });
    }
    document.getElementById("copy-cite").addEventListener("click", async () => {
      updateCitation();
      if (await copyText(citation)) citeState.textContent = texts.cite_copied;
    });
  }

  // the code to embed this talk on another site, from its start or from the player's second
  const embedCode = document.getElementById("embed-code");
  const fromHere = document.getElementById("embed-from-here");
  function updateEmbed() {
    const t = Math.floor(video.currentTime);
    embedCode.textContent = fromHere.checked && t > 0
      ? embedCode.dataset.at.replace("__T__", String(t)) : embedCode.dataset.whole;
    document.getElementById("embed-at").textContent = clock(t);
  }
  if (embedCode) {
    fromHere.addEventListener("change", () => { document.getElementById("embed-state").textContent = ""; updateEmbed(); });
    document.getElementById("copy-embed").addEventListener("click", async () => {
      updateEmbed();
      if (await copyText(embedCode)) document.getElementById("embed-state").textContent = texts.copied;
    });
  }

  // both follow the player, once a second
  let shownSecond = -1;
  function followSecond() {
    const t = Math.floor(video.currentTime);
    if (t === shownSecond) return;
    shownSecond = t;
    if (citeBox) updateCitation();
    if (embedCode) updateEmbed();
  }
  video.addEventListener("timeupdate", followSecond);
  video.addEventListener("seeked", followSecond);

  // sections meant to stand open where there is room (the description) open on wide screens
  if (window.matchMedia("(min-width: 801px)").matches) {
    for (const d of document.querySelectorAll("details[data-open-wide]")) d.open = true;
  }

  // search inside this talk
  const findInput = document.getElementById("find-q");
  const count = document.getElementById("find-count");
  const words = Array.from(list.querySelectorAll(".w"));
  const fold = (s) => s.toLocaleLowerCase("de").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ß/g, "ss");
  let hits = [];
  let hitIndex = -1;
  function find() {
    for (const w of hits) w.classList.remove("found", "found-current");
    const q = fold(findInput.value.trim());
    hits = q ? words.filter((w) => fold(w.textContent).includes(q)) : [];
    for (const w of hits) w.classList.add("found");
    hitIndex = -1;
    count.textContent = q ? texts.hits_in_talk.replace("{n}", String(hits.length)) : "";
  }
  function step(direction) {
    if (!hits.length) return;
    const t = video.currentTime;
    if (hitIndex < 0) {
      hitIndex = direction > 0 ? hits.findIndex((w) => parseFloat(w.dataset.t) > t + 0.1) : -1;
      if (hitIndex < 0) hitIndex = direction > 0 ? 0 : hits.length - 1;
    } else {
      hitIndex = (hitIndex + direction + hits.length) % hits.length;
    }
    for (const w of hits) w.classList.remove("found-current");
    const w = hits[hitIndex];
    w.classList.add("found-current");
    seek(parseFloat(w.dataset.t), false);
    count.textContent = `${hitIndex + 1} / ${hits.length}`;
  }
  if (findInput) {
    document.getElementById("find").addEventListener("submit", (event) => event.preventDefault());
    findInput.addEventListener("input", find);
    findInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); step(event.shiftKey ? -1 : 1); }
    });
    document.getElementById("find-next").addEventListener("click", () => step(1));
    document.getElementById("find-prev").addEventListener("click", () => step(-1));
    // arriving from a search, the searched word is marked in the transcript
    const asked = (article.dataset.q || "").trim();
    if (asked && !/\s/.test(asked)) {
      findInput.value = asked;
      find();
      if (!hits.length) { findInput.value = ""; find(); }
    }
  }

  // keyboard: space plays/pauses, arrows seek, unless typing or on a control
  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (el.closest("input, textarea, select, button, a, video") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === " ") {
      event.preventDefault();
      if (video.paused) video.play().catch(() => {}); else video.pause();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      seek(video.currentTime + (event.key === "ArrowRight" ? 5 : -5), false);
    }
  });

  // "← Zur Suche" returns to the search the reader came from, with its filters and page
  // (the server's link keeps the query only; the referrer has the whole search URL)
  const back = document.getElementById("back-to-search");
  if (back && document.referrer) {
    const from = new URL(document.referrer);
    if (from.origin === location.origin && from.pathname === "/") back.href = from.pathname + from.search;
  }
})();
