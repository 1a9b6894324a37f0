"""Where a report export goes: to the screen (`--uitvoer -`) or to a file, with its audit entry.

`rapport`, `rapport --wachtlijst` and `jaarverslag` hand over the same way, so the order that
keeps the BIO promise (no export without its audit entry) lives here once.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mhtool.cli.context import AppState
    from mhtool.domain.audit import DetailValue
    from mhtool.domain.reports import Document

STDOUT = "-"


def write_report(
    st: AppState,
    action: str,
    details: Mapping[str, DetailValue],
    document: Document,
    fmt: str,
    uitvoer: str | None,
    path: Path,
    *,
    overwrite: bool,
) -> Path | None:
    """Write `document` to the screen when `uitvoer` is '-' (None is returned), else to `path`.

    On the screen the text is rendered first (a format that cannot go there is refused before
    anything is logged), then logged, then written. A file is written to a temporary file,
    logged with `bestand` added, then put into place; if the entry fails nothing is published
    (`export_logged`).
    """
    from mhtool.exporters import render_text
    from mhtool.services.audit import record
    from mhtool.services.export_files import export_logged

    if uitvoer == STDOUT:
        text = render_text(document, fmt)
        record(st.store(), st.user, action, "rapport", "", details=details)
        sys.stdout.write(text)
        return None
    return export_logged(
        st.store(),
        st.user,
        action,
        "rapport",
        {**details, "bestand": True},
        document,
        fmt,
        path,
        overwrite=overwrite,
        protected=st.database_files(),
    )
