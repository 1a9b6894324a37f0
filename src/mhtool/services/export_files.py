"""Writing a report or statistics export to a file, together with its audit entry.

The BIO asks that every export of signal data be logged. The file is written to a private
temporary file (mode 0600, never over the database: mhtool.exporters), logged, and only then put
into place; when the entry cannot be written nothing is published (an export being replaced
stays), so no export exists without its audit entry.
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

    # Logged once the file is written and before it is put into place: when the entry
    # cannot be written, no export appears and an earlier one being replaced stays.
    return export(
        document,
        fmt,
        path,
        overwrite=overwrite,
        protected=protected,
        before_publish=lambda: audit.record(store, user, action, object_type, "", details=details),
    )
