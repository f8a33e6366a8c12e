"""The staff page's lists as staff read them (issue 23): German state names, a waiting job
without "0 %", a failed one with a human message and its technical detail folded away (and no
full bar), empty lists that say so."""

from __future__ import annotations

from typing import Any

from api import admin_view
from api.i18n import TEXTS
from api.pages import templates
from archive.licences import LICENCES

DE = TEXTS["de"]


def job(state: str, stage: str, progress: float, error: str | None = None) -> dict[str, Any]:
    return {"id": f"j-{state}", "talk_id": "t1", "state": state, "stage": stage,
            "progress": progress, "error": error, "file_name": f"{state}.mp4", "attempts": 1,
            "created_at": "2025-09-18T10:00:00Z"}


def lists(jobs: list[dict[str, Any]], lang: str = "de") -> str:
    texts = TEXTS[lang]
    shown = [admin_view.job_view(j, texts, {"t1"}) for j in jobs]
    return templates.get_template("_admin_lists.html").render(
        t=texts, jobs=shown, talks=[], review_summary="", licences=LICENCES,
        busy=any(j["active"] for j in shown))


def row(html: str, state: str) -> str:
    start = html.index(f'data-state="{state}"')
    return html[start:html.index("</tr>", start)]


def test_states_in_german_and_a_waiting_job_without_percent() -> None:
    html = lists([job("queued", "queued", 0.0), job("running", "transcribing 3/9", 0.42),
                  job("ready", "ready", 1.0)])
    queued, running, ready = row(html, "queued"), row(html, "running"), row(html, "ready")
    assert "Wartet" in queued and "%" not in queued and "<progress aria-label" in queued
    assert "value=" not in queued  # indeterminate
    assert "Wird verarbeitet" in running and "Transkribiert · 42 %" in running
    assert "Fertig" in ready and "<progress" not in ready and 'href="/talks/t1"' in ready
    assert 'data-busy="true"' in html
    for english in (">queued<", ">running<", ">ready<"):
        assert english not in html


def test_a_failed_job_has_a_human_message_and_the_detail_folded_away() -> None:
    html = lists([job("failed", "failed", 0.95, "x.mp4: audio cannot be decoded (Invalid data)")])
    failed = row(html, "failed")
    assert "Fehlgeschlagen" in failed and DE["job_failed_message"] in failed
    assert "<details class=\"tech\"><summary>Technische Details</summary>" in failed
    assert "audio cannot be decoded" in failed.split("<details", 1)[1]
    assert "<progress" not in failed and 'class="retry secondary"' in failed
    assert 'data-busy="false"' in html


def test_empty_lists_say_so_in_both_languages() -> None:
    assert DE["jobs_empty"] in lists([]) and DE["talks_empty"] in lists([])
    assert TEXTS["en"]["jobs_empty"] in lists([], "en")


def test_an_unusual_language_stays_selectable() -> None:
    assert ("de", "Deutsch") in admin_view.language_options("de")
    assert admin_view.language_options("sq")[-1] == ("sq", "sq")
