"""Swagger UI for ``/docs``, installed from the npm registry (sha256-pinned) into the cache, so
the API docs work on a machine without internet access (FastAPI's default loads it from a CDN)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import npm
from .settings import Settings

SWAGGER_VERSION = "5.32.0"
SWAGGER_SHA256 = "3c30bfe83d09763d14b4c88df0beade8ca162087a2fa5db3f34472f231ab3ba9"  # the npm tarball
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def folder(settings: Settings) -> Path:
    return settings.cache_dir / "npm" / f"swagger-ui-dist-{SWAGGER_VERSION}"


def installed(settings: Settings) -> bool:
    return all((folder(settings) / name).is_file() for name in FILES)


def fetch(settings: Settings, log: Callable[[str], None] = print) -> Path:
    """Install Swagger UI's files into the cache (idempotent; all files appear at once)."""
    target = folder(settings)
    if installed(settings):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        log(f"fetching Swagger UI {SWAGGER_VERSION} from the npm registry")
        tarball = npm.verified(npm.pack(f"swagger-ui-dist@{SWAGGER_VERSION}", Path(tmp)), SWAGGER_SHA256)
        staged = Path(tmp) / "staged"
        staged.mkdir()
        for name in FILES:
            shutil.move(npm.extract(tarball, f"package/{name}", Path(tmp)), staged / name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    return target
