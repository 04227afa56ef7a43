"""Compiles every .po file under src/weerbaar to .mo with polib, so no GNU gettext is needed."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "weerbaar"

for po_path in ROOT.rglob("locale/*/LC_MESSAGES/*.po"):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    print(f"compiled {po_path.relative_to(ROOT.parent.parent)}")
