"""Annulling a signal registered by mistake ('vervallen'), and undoing that.

An annulled signal stays in the file with its whole history; its number is never reissued. It
is left out of `signaal lijst` (unless asked for), of the statistics and of the weekly report,
and shown as VERVALLEN wherever it still appears. While annulled it cannot change; a closed
signal is reopened before it can be annulled, so the rules of a closed signal stay simple.

An annulled signal is not kept forever: it gets a destruction date under the bewaartermijn for
'geen mensenhandel', counted from the day it was annulled (`domain.retention.ANNULLED_TERM`),
so `opschonen` removes it like a closed signal. Restoring it clears that date again.
"""

from __future__ import annotations

import datetime as dt

from mhtool.domain.dates import format_date
from mhtool.domain.meldroute import Move, MoveKind, StepInput, refuse_if_closed
from mhtool.domain.retention import annulled_destruction_date
from mhtool.domain.signal_input import clean_text
from mhtool.domain.signal_ref import parse_ref
from mhtool.domain.views import SignalDetail
from mhtool.errors import NotAllowedError
from mhtool.services.audit import audited
from mhtool.services.signals import signal_detail
from mhtool.store import signals as q
from mhtool.store.connection import Store
from mhtool.store.retention import term_years


def annul_signal(
    store: Store, ref_text: str, reason: str, user: str, today: dt.date | None = None
) -> SignalDetail:
    ref = parse_ref(ref_text)
    reason = clean_text(reason, "Reden", required=True, limit=2_000)
    on_date = today or dt.date.today()
    with audited(store, user, "signaal.vervallen", "signaal", ref):
        row = q.find_signal(store, ref)
        if row["annulled_on"]:
            raise NotAllowedError(
                f"Signaal {ref} is al vervallen (sinds {format_date(row['annulled_on'])}); er is "
                "niets gewijzigd."
            )
        if row["step"] == 5:
            raise NotAllowedError(
                f"Signaal {ref} is afgerond; heropen het eerst met 'mhtool signaal heropen' als "
                "het toch vervallen moet."
            )
        refuse_if_closed(row["step"])
        q.insert_event(
            store,
            row["id"],
            Move(MoveKind.ANNUL, from_step=None, to_step=None),
            StepInput(on_date=on_date, reason=reason),
            user,
            {},
        )
        q.update_signal(
            store,
            row["id"],
            {
                "annulled_on": on_date.isoformat(),
                "destroy_on": annulled_destruction_date(on_date, term_years(store)).isoformat(),
            },
            user,
            "vervallen",
            extra={"reden": reason},
        )
        return signal_detail(store, q.find_signal(store, ref))


def restore_signal(
    store: Store, ref_text: str, reason: str, user: str, today: dt.date | None = None
) -> SignalDetail:
    """Undo an annulment: the signal counts and can change again, from the step it was in."""
    ref = parse_ref(ref_text)
    reason = clean_text(reason, "Reden", required=True, limit=2_000)
    on_date = today or dt.date.today()
    with audited(store, user, "signaal.vervallen-herstel", "signaal", ref):
        row = q.find_signal(store, ref)
        if not row["annulled_on"]:
            raise NotAllowedError(f"Signaal {ref} is niet vervallen; er is niets hersteld.")
        q.insert_event(
            store,
            row["id"],
            Move(MoveKind.RESTORE, from_step=None, to_step=None),
            StepInput(on_date=on_date, reason=reason),
            user,
            {},
        )
        q.update_signal(
            store,
            row["id"],
            {"annulled_on": None, "destroy_on": None},
            user,
            "vervallen-hersteld",
            {"reden": reason},
        )
        return signal_detail(store, q.find_signal(store, ref))
