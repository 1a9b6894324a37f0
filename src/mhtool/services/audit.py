"""Accountability (BIO): every change, view, search and export leaves an entry in the audit log.

Two ways in:

* `audited(...)`: a use case's write transaction that ends with its audit entry, so the action
  and the entry land together. If the use case is refused (a `MhtoolError`), its transaction is
  rolled back and the refusal is written in a small transaction of its own.
* `record(...)`: one entry in its own transaction, for actions that have no transaction of their
  own (a search, an export). Services on other branches call this:

      from mhtool.services.audit import record
      record(store, user, "zoeken", "signaal", "", details={"soort": "persoon", "aantal": 3})
      record(store, user, "export", "rapportage", "", details={"formaat": "xlsx", "jaar": 2026})

Entries carry codes, ids and counts only (see `mhtool.domain.audit.check_entry`): never a name,
a search query or a description.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from mhtool.domain.audit import AuditEntry, AuditResult, ChainCheck, DetailValue
from mhtool.errors import (
    DatabaseError,
    DatabaseInUseError,
    MhtoolError,
    NotAllowedError,
    NotFoundError,
    ValidationError,
)
from mhtool.store import audit as q
from mhtool.store.audit import AuditFilter
from mhtool.store.connection import Store, translate_sqlite_errors

__all__ = [
    "AuditFilter",
    "Audited",
    "audited",
    "check_period",
    "record",
    "audit_anchor",
    "show_audit_log",
    "verify_audit_log",
]


def record(
    store: Store,
    user: str,
    action: str,
    object_type: str,
    object_id: str = "",
    result: AuditResult | str = AuditResult.OK,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Write one audit entry in a transaction of its own, after the caller's read is done.

    Inside an open transaction this refuses (a programming error): a `store.read()` block is
    always rolled back, which would silently drop the entry. Use `audited()` to log a write.
    """
    if store.in_transaction:
        raise RuntimeError("record() runs after the read transaction; use audited() for writes")
    with store.write(), translate_sqlite_errors():
        q.append(store, user, action, object_type, object_id, str(result), details or {})


@dataclass
class Audited:
    """Filled in by the use case while it runs: the object it turned out to touch, and counts."""

    object_id: str = ""
    details: dict[str, DetailValue] = field(default_factory=dict)


def record_refusal(
    store: Store,
    user: str,
    action: str,
    object_type: str,
    object_id: str,
    error: MhtoolError,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """A refused action is logged too, with only the kind of error: its message may quote what
    the user typed. Best effort: the user must still see the original error."""
    result = AuditResult.NOT_FOUND if isinstance(error, NotFoundError) else AuditResult.REFUSED
    with contextlib.suppress(MhtoolError):
        record(
            store,
            user,
            action,
            object_type,
            object_id,
            result,
            {**(details or {}), "fout": type(error).__name__.lower()},
        )


@contextlib.contextmanager
def audited(
    store: Store,
    user: str,
    action: str,
    object_type: str,
    object_id: str = "",
    *,
    log_refusal: bool = True,
) -> Iterator[Audited]:
    """One write transaction for the use case and its audit entry; refusals are logged too,
    unless `log_refusal` is off: a database that must stay empty until a copy lands in it
    (`overzetten`) logs its refusals elsewhere."""
    note = Audited(object_id=object_id)
    try:
        with store.write():
            yield note
            with translate_sqlite_errors():
                q.append(
                    store, user, action, object_type, note.object_id, AuditResult.OK, note.details
                )
    except (DatabaseError, DatabaseInUseError):
        raise  # the file itself is the problem: logging the refusal would fail the same way
    except MhtoolError as error:
        if log_refusal:
            record_refusal(store, user, action, object_type, note.object_id, error, note.details)
        raise


# The regional role on a server appends to the log but may not read it (store/audit.py).
FIGURES_ONLY_AUDIT = (
    "Uw rol op de server (regio) ziet alleen cijfers en niet het auditlog, dus de eigenaar van "
    "de database of een functionaris bekijkt en controleert de keten; er is niets gewijzigd."
)


def _refuse_figures_only(store: Store, user: str, action: str) -> None:
    """Said before the server's own refusal would be, in words about the log; logged as a
    refusal like any other."""
    if store.figures_only:
        error = NotAllowedError(FIGURES_ONLY_AUDIT)
        record_refusal(store, user, action, "auditlog", "", error)
        raise error


def show_audit_log(store: Store, user: str, filters: AuditFilter) -> list[AuditEntry]:
    """Reading the log is itself logged: who looked at who did what is part of the trail."""
    _refuse_figures_only(store, user, "audit.toon")
    with audited(store, user, "audit.toon", "auditlog") as note:
        found = q.entries(store, filters)
        note.details["aantal"] = len(found)
        return found


def action_suggestion(store: Store, action: str) -> tuple[str | None, list[str]]:
    """For an --actie filter that matched nothing: the action or group it most likely meant,
    and the groups the log holds. (None, groups) when `action` itself occurs in the log."""
    from mhtool.domain.signal_input import did_you_mean

    with store.read(), translate_sqlite_errors():
        actions = q.distinct_actions(store)
    groups = sorted({a.split(".")[0] for a in actions})
    known = set(actions) | set(groups)
    if action in known:
        return None, groups
    return did_you_mean(action, sorted(known)), groups


def verify_audit_log(
    store: Store, user: str, *, full: bool = False, published: str | None = None
) -> ChainCheck:
    """A sound chain gets an entry for the check itself, and the checkpoint moves to its end
    (in the same transaction), so the next check reads only what was added since. A broken one
    gets nothing: the user is told to keep the file exactly as it is, as evidence, so mhtool
    writes nothing to it. `published` is an anchor noted earlier outside the file."""
    _refuse_figures_only(store, user, "audit.controleer")
    point = None
    if published is not None:
        point = q.parse_point(published)
        if point is None:
            raise ValidationError(
                "Het anker bij --anker is niet te lezen; geef het op zoals 'mhtool audit anker' "
                "het toont: een aantal regels, een dubbele punt en 64 tekens (0-9, a-f)."
            )
    with store.read(), translate_sqlite_errors():
        check = q.verify_chain(store, full=full, published=point)
    if check.ok:
        with audited(store, user, "audit.controleer", "auditlog") as note:
            q.set_checkpoint(store, q.ChainPoint(check.rows, check.head_hash), user)
            note.details.update(
                regels=check.rows,
                in_orde=True,
                volledig=full or point is not None,
                vanaf=check.checked_from,
                anker=point is not None,
            )
    return check


def audit_anchor(store: Store, user: str) -> tuple[ChainCheck, q.ChainPoint | None]:
    """The point to publish outside the file: only for a chain that checks out (from the last
    checkpoint), so nobody publishes the end of a forged log."""
    _refuse_figures_only(store, user, "audit.anker")
    with store.read(), translate_sqlite_errors():
        check = q.verify_chain(store)
    if not check.ok:
        return check, None
    point = q.ChainPoint(check.rows, check.head_hash)
    record(store, user, "audit.anker", "auditlog", "", AuditResult.OK, {"regels": point.length})
    return check, point


def check_period(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise ValidationError("De datum bij --van ligt na de datum bij --tot; draai ze om.")
