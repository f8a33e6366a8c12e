"""A non-editable install carries the pages: the wheel holds web/ beside api/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_installs_pages_and_templates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("archive", "ingest", "api", "talkarchive", "web"):
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    # the PEP 517 backend itself: pip 23.2's `pip wheel --no-build-isolation` fails with every
    # setuptools release tried here (65, 80, 84: "'NoneType' has no attribute has_pure_modules")
    subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                    "build_meta.build_wheel(sys.argv[1])", str(tmp_path / "dist")],
                   check=True, capture_output=True, cwd=src)
    wheel = next((tmp_path / "dist").glob("talkarchive-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "web").rglob("*")
               if p.is_file() and p.suffix in (".html", ".js", ".css")}
    assert shipped and shipped <= names
    assert {"api/app.py", "talkarchive/cli.py", "archive/search/client.py",
            "archive/migrations/env.py", "archive/migrations/versions/0001_baseline.py",
            "archive/migrations/script.py.mako", "archive/programme/schemas/schedule.xml.xsd",
            "archive/programme/schemas/schema.json", "archive/programme/schemas/README.md"} <= names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    probe = (f"import api.pages as p; assert p.WEB.is_relative_to({str(target)!r}), p.WEB; "
             "assert (p.WEB / 'templates' / 'search.html').is_file(); "
             "import archive.migrations as m; assert (m.HERE / 'env.py').is_file(); "
             "from archive.programme import schedule_xml as x, schedule_json as j; "
             f"assert x.SCHEMA.is_relative_to({str(target)!r}) and x.SCHEMA.is_file() "
             "and j.SCHEMA.is_file()")
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=tmp_path, env={"PYTHONPATH": str(target)})
