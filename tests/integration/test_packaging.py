"""A non-editable install carries the pages: the wheel holds web/ beside api/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_pages_and_templates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("ingest", "api", "web"):
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("talkarchive-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "web").rglob("*")
               if p.is_file() and p.suffix in (".html", ".js", ".css")}
    assert shipped and shipped <= names
    assert {"api/app.py", "ingest/cli.py"} <= names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    probe = (f"import api.pages as p; assert p.WEB.is_relative_to({str(target)!r}), p.WEB; "
             "assert (p.WEB / 'templates' / 'search.html').is_file()")
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=tmp_path, env={"PYTHONPATH": str(target)})
