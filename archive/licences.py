"""The licences a talk can carry: SPDX identifiers, with a name and a link for people.

Staff choose one per talk; ``TALKARCHIVE_DEFAULT_LICENCE`` is what a new talk gets. The licence
is stored on the talk when it is created (a later change of the default changes no talk) and is
written into the talk page, every export and every corpus.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX identifier
    name: str
    url: str | None


LICENCES: dict[str, Licence] = {lic.id: lic for lic in (
    Licence("CC-BY-4.0", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    Licence("CC-BY-SA-4.0", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    Licence("CC-BY-ND-4.0", "CC BY-ND 4.0", "https://creativecommons.org/licenses/by-nd/4.0/"),
    Licence("CC-BY-NC-4.0", "CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    Licence("CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    Licence("CC-BY-NC-ND-4.0", "CC BY-NC-ND 4.0",
            "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
    Licence("CC0-1.0", "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence("LicenseRef-all-rights-reserved", "Alle Rechte vorbehalten", None),
)}
DEFAULT = "CC-BY-4.0"


def licence(spdx: str | None) -> Licence:
    """The licence of an identifier; an unknown one (from an older catalog) keeps its id."""
    spdx = spdx or DEFAULT
    return LICENCES.get(spdx) or Licence(spdx, spdx, None)


def as_dict(spdx: str | None) -> dict[str, str | None]:
    lic = licence(spdx)
    return {"id": lic.id, "name": lic.name, "url": lic.url}
