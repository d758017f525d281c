"""Extract the console's messages and update its catalogs: the template (messages.pot), Russian
from scripts/web_ru_messages.py (complete), and skeletons for kk, ky, tg, uz (their
empty translations show in English). Run after changing any text of the console:

    PYTHONPATH=. .venv/bin/python scripts/web_catalogs.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "exchange" / "web"
LOCALE = WEB / "locale"
SKELETONS = ("kk", "ky", "tg", "uz")


def main() -> int:
    pot = LOCALE / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", str(WEB / "babel.cfg"), "-k", "N_", "--no-location",
         "--sort-output", "--omit-header", "-o", str(pot), str(WEB)],
        check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as fh:
        template = read_po(fh)
    sys.path.insert(0, str(ROOT / "scripts"))
    from web_ru_messages import RU

    for lang in ("ru", *SKELETONS):
        cat = Catalog(locale=lang, project="exchange", fuzzy=False)
        for m in template:
            if m.id:
                cat.add(m.id, RU.get(str(m.id), "") if lang == "ru" else "")
        out = LOCALE / lang / "LC_MESSAGES" / "messages.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_po(fh, cat, omit_header=False, sort_output=True, no_location=True)
    missing = [str(m.id) for m in template if m.id and str(m.id) not in RU]
    for m in missing:
        print(f"ru: no translation for {m!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
