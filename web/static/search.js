// Search as you type: debounced, stale responses never overwrite newer ones, the URL carries
// query, filters and page. Without JavaScript the form submits and the server renders the same.
(() => {
  "use strict";
  const form = document.getElementById("search");
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("search-status");
  const filterBox = document.getElementById("filter-box");
  const reset = document.getElementById("reset-filters");
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const DEBOUNCE_MS = 150;
  const LOADING_AFTER_MS = 200; // a quick answer shows no "searching" flash
  let seq = 0;
  let timer = 0;
  let loadingTimer = 0;
  let controller = null;

  // on a wide screen the filters stand open; on a phone they are one row that opens on demand
  if (filterBox && window.matchMedia("(min-width: 801px)").matches) filterBox.open = true;

  function busy(on) {
    clearTimeout(loadingTimer);
    results.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      loadingTimer = setTimeout(() => { status.textContent = texts.loading; status.classList.add("on"); }, LOADING_AFTER_MS);
    } else {
      status.textContent = "";
      status.classList.remove("on");
    }
  }

  // "Filter zurücksetzen" and the count of active filters follow the chosen filters
  function showFilters() {
    const active = Array.from(form.querySelectorAll("select[data-filter]")).filter((s) => s.value).length;
    reset.hidden = active === 0;
    const q = input.value.trim();
    reset.href = q ? "/?" + new URLSearchParams({ q }).toString() : "/";
    document.getElementById("active-count").textContent = active ? `(${texts.filters_active.replace("{n}", String(active))})` : "";
  }

  function formParams() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (value) params.set(key, String(value));
    }
    return params;
  }

  function syncFilters(doc) {
    for (const select of form.querySelectorAll("select[data-filter]")) {
      const fresh = doc.querySelector(`select[data-filter="${select.name}"]`);
      if (fresh) {
        select.innerHTML = fresh.innerHTML;
        select.value = fresh.value;
      }
    }
  }

  async function run(params, mode) {
    const mine = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    busy(true);
    const url = "/?" + params.toString();
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } });
      const html = await response.text();
      if (mine !== seq) return; // a newer search has started: drop this answer
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.getElementById("results");
      results.innerHTML = fresh ? fresh.innerHTML : "";
      syncFilters(doc);
      showFilters();
      document.title = doc.title;
      const target = url === "/?" ? "/" : url;
      if (mode === "push") history.pushState(null, "", target);
      else if (mode === "replace") history.replaceState(null, "", target);
      results.dataset.query = params.get("q") || "";
      results.dataset.seq = String(mine);
    } catch (error) {
      if (error.name === "AbortError") return;
      if (mine === seq) {
        results.innerHTML = "";
        const p = document.createElement("p");
        p.className = "notice error";
        p.setAttribute("role", "alert");
        p.textContent = texts.unavailable;
        results.append(p);
      }
    } finally {
      if (mine === seq) busy(false);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const before = new URLSearchParams(location.search).get("q") || "";
      // a new search gets its own history entry; refining it while typing replaces that entry
      run(formParams(), before ? "replace" : "push");
    }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(formParams(), "push");
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("select, input[type=checkbox]")) run(formParams(), "push");
  });
  reset.addEventListener("click", (event) => {
    event.preventDefault();
    for (const select of form.querySelectorAll("select[data-filter]")) select.value = "";
    showFilters();
    run(formParams(), "push");
    input.focus();
  });
  results.addEventListener("click", (event) => {
    const link = event.target.closest("nav.pages a");
    if (!link) return;
    event.preventDefault();
    run(new URL(link.href).searchParams, "push");
    input.scrollIntoView({ block: "start" });
  });
  window.addEventListener("popstate", () => {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    for (const select of form.querySelectorAll("select")) select.value = params.get(select.name) || "";
    const exact = document.getElementById("exact");
    if (exact) exact.checked = params.get("exact") === "1";
    run(params, "none");
  });
})();
