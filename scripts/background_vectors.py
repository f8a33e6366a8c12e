"""Write archive/semantic/background.npy: the vectors of background.txt's sentences, stamped
with the model and the text (archive/semantic/background.py). Run after either changes:

    .venv/bin/python scripts/background_vectors.py
"""

from __future__ import annotations

from pathlib import Path

from archive.semantic import background

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "archive" / "semantic" / background.SAVED
    background.write(target)
    print(f"wrote {target} ({len(background.sentences())} sentences)")
