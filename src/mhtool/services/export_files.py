"""Writing a report or statistics export to a file, together with its audit entry.

The BIO asks that every export of signal data be logged. The file is written first (atomically,
mode 0600, never over the database: mhtool.exporters), then logged; a new file whose entry cannot
be written is removed again, so no export exists without its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mhtool.domain.audit import DetailValue
from mhtool.services import audit
from mhtool.store.connection import Store

if TYPE_CHECKING:
    from mhtool.domain.reports import Document


def export_logged(
    store: Store,
    user: str,
    action: str,
    object_type: str,
    details: Mapping[str, DetailValue],
    document: Document,
    fmt: str,
    path: Path,
    *,
    overwrite: bool,
    protected: Sequence[Path],
) -> Path:
    from mhtool.exporters import export

    existed = path.expanduser().exists()
    written = export(document, fmt, path, overwrite=overwrite, protected=protected)
    try:
        audit.record(store, user, action, object_type, "", details=details)
    except BaseException:
        if not existed:
            written.unlink(missing_ok=True)
        raise
    return written
