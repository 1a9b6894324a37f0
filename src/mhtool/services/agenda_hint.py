"""The agenda's one-line reminder after other commands.

It runs after every command that opened the database, so it lives apart from
services/lifecycle.py (and its imports of views and signal services, ≈ 25 ms): a `zoek` must not
pay for the agenda. One query (store.lifecycle.anything_overdue).
"""

from __future__ import annotations

import datetime as dt
import os

from mhtool.domain.norms import NORMS_BY_CODE, STEP_NORM
from mhtool.store import lifecycle as lq
from mhtool.store.connection import Store

HINT_ENV = "MHTOOL_AGENDA_HINT"


def overdue_hint(store: Store, today: dt.date | None = None) -> str | None:
    """One line for stderr after other commands when something is overdue; None otherwise.
    Switched off with MHTOOL_AGENDA_HINT=uit."""
    if os.environ.get(HINT_ENV, "").strip().lower() in ("uit", "0", "nee", "off"):
        return None
    if store.figures_only:
        return None  # a role that sees figures only (a server's region) has no agenda
    today = today or dt.date.today()
    defaults = {step: NORMS_BY_CODE[code].default_days for step, code in STEP_NORM.items()}
    if not lq.anything_overdue(store, today, defaults):
        return None
    return (
        "Let op: op uw agenda staat werk dat te laat is; zie 'mhtool agenda' "
        f"(uitzetten: {HINT_ENV}=uit)."
    )
