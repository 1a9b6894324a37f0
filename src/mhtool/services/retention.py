"""Bewaartermijnen and opschonen: closed signals are destroyed once their term has passed.

Destruction is one transaction (the signals, everything only they refer to, their history and
index entries, and the audit entries that record it by reference and counts), followed outside
the transaction by VACUUM and a WAL checkpoint so the freed pages leave the file as well.
"""

from __future__ import annotations

import datetime as dt

from mhtool.domain.enums import Conclusion
from mhtool.domain.retention import DueSignal, PurgeReport, RetentionTerm, check_years, setting_key
from mhtool.services.audit import audited
from mhtool.store import audit as audit_store
from mhtool.store import erasure
from mhtool.store import retention as q
from mhtool.store.connection import Store
from mhtool.store.settings import put_setting
from mhtool.store.signals import record_history


def show_terms(store: Store) -> list[RetentionTerm]:
    with store.read():
        return q.retention_terms(store)


def set_term(store: Store, conclusion: Conclusion, years: int, user: str) -> RetentionTerm:
    """Store the archivist's decision; closed signals with this conclusie get a new date."""
    check_years(years)
    with audited(store, user, "bewaartermijn.zet", "bewaartermijn") as entry:
        before = {t.conclusion: t.years for t in q.retention_terms(store)}
        put_setting(store, setting_key(conclusion), str(years), user)
        for signal_id, old, new in q.redate_closed_signals(store, conclusion, years):
            record_history(
                store,
                user,
                "bewaartermijn",
                "signal",
                signal_id,
                signal_id,
                {"destroy_on": {"oud": old, "nieuw": new}},
            )
            entry.details["herberekend"] = int(entry.details.get("herberekend") or 0) + 1
        entry.details.update(conclusie=conclusion.value, jaren=years, vorige=before[conclusion])
        return next(t for t in q.retention_terms(store) if t.conclusion is conclusion)


def _due(
    store: Store, today: dt.date
) -> tuple[list[tuple[int, DueSignal]], list[DueSignal], list[DueSignal]]:
    """(signals whose confirmed term has passed, signals past a placeholder term only, signals
    past their term but still open through a follow-up action). A closed signal with an open
    action is open work (status 'vervolg'): it is kept until the action is done. An annulled
    signal is never open, so its actions do not hold it."""
    confirmed = {t.conclusion.value for t in q.retention_terms(store) if t.confirmed}
    all_confirmed = len(confirmed) == len(Conclusion)
    ready: list[tuple[int, DueSignal]] = []
    waiting: list[DueSignal] = []
    held: list[DueSignal] = []
    for r in q.due_signals(store, today):
        signal = DueSignal(
            r["ref"], r["closed_on"], r["destroy_on"], r["conclusion"], r["annulled_on"]
        )
        if r["open_actions"] and not r["annulled_on"]:
            held.append(signal)
        elif signal.term in confirmed or (signal.term is None and all_confirmed):
            ready.append((r["id"], signal))
        else:
            waiting.append(signal)
    return ready, waiting, held


def preview_purge(store: Store, user: str, today: dt.date | None = None) -> PurgeReport:
    today = today or dt.date.today()
    with audited(store, user, "opschonen.proef", "signaal") as entry:
        ready, waiting, held = _due(store, today)
        entry.details.update(
            aantal=len(ready), wacht_op_vaststelling=len(waiting), open_vervolgactie=len(held)
        )
    return PurgeReport(True, tuple(s for _, s in ready), tuple(waiting), {}, tuple(held))


def purge(
    store: Store,
    user: str,
    today: dt.date | None = None,
    only: frozenset[str] | None = None,
) -> PurgeReport:
    """Destroy every signal whose confirmed term has passed (limited to `only`, the references
    the user confirmed, so nothing is destroyed that was not on the list shown)."""
    today = today or dt.date.today()
    totals: dict[str, int] = {}
    with audited(store, user, "opschonen", "signaal") as entry:
        ready, waiting, held = _due(store, today)
        due = [(i, s) for i, s in ready if only is None or s.ref in only]
        for signal_id, signal in due:
            counts = erasure.destroy_signal(store, signal_id)
            audit_store.append(
                store,
                user,
                "signaal.vernietigd",
                "signaal",
                signal.ref,
                "gelukt",
                {"vernietigingsdatum": signal.destroy_on, **counts},
            )
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        if due:
            # A trace without the signal (its history is gone), so `mhtool ongedaan` knows the
            # user's last change was a destruction and refuses instead of undoing an older one.
            record_history(store, user, "vernietigd", "signal", None, None, {"aantal": len(due)})
            entry.details["fts_indexen"] = erasure.refresh_fts(store)
        entry.details.update(
            signalen=len(due),
            wacht_op_vaststelling=len(waiting),
            open_vervolgactie=len(held),
            **totals,
        )
    # Always, not only when something was due: a compaction that failed after an earlier
    # deletion is finished by running `mhtool opschonen` again.
    erasure.compact(store, f"{len(due)} {'signaal' if len(due) == 1 else 'signalen'} vernietigd")
    return PurgeReport(False, tuple(s for _, s in due), tuple(waiting), totals, tuple(held))


def finish_compaction(store: Store) -> None:
    """`mhtool opschonen` with nothing due still rewrites the file, so a compaction that failed
    after an earlier deletion (file in use, disk full) is completed here."""
    erasure.compact(store, "Er was niets te vernietigen")
