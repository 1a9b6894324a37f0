"""Use cases of a signal's life: log it, show it, list them, move it along the meldroute."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mhtool.domain.dates import format_date, format_moment
from mhtool.domain.enums import Conclusion, Step
from mhtool.domain.meldroute import (
    Move,
    StepInput,
    check_avim_at_closing,
    check_follow_up,
    plan_move,
    plan_reopen,
    refuse_if_annulled,
    refuse_if_closed,
)
from mhtool.domain.retention import destruction_date
from mhtool.domain.signal_input import NewSignal, clean_text
from mhtool.domain.signal_ref import parse_ref
from mhtool.domain.views import (
    ActionView,
    AddressView,
    EventView,
    HistoryView,
    NoteView,
    OrganisationView,
    OutcomeView,
    PersonView,
    SignalDetail,
    SignalSummary,
)
from mhtool.errors import (
    DatabaseError,
    DatabaseInUseError,
    MhtoolError,
    NotAllowedError,
    ValidationError,
)
from mhtool.services.audit import audited, record, record_refusal
from mhtool.store import signals as q
from mhtool.store.connection import Store, translate_sqlite_errors
from mhtool.store.retention import term_years
from mhtool.store.signals import SignalFilter

if TYPE_CHECKING:
    from mhtool.domain.audit import DetailValue
    from mhtool.services.earlier_records import EntityCheck

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "SignalFilter",
    "SignalListing",
    "add_note",
    "advance_signal",
    "list_signals",
    "listed_signals",
    "log_signal",
    "record_avim",
    "reopen_signal",
    "show_signal",
]


def _int_or_none(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def summary_from_row(row: dict[str, Any], forms: tuple[str, ...]) -> SignalSummary:
    """Shared with the weekly report, which selects its own signal rows."""
    return SignalSummary(
        ref=row["ref"],
        received_on=row["received_on"],
        municipality=row["municipality"],
        channel=row["channel"],
        forms=forms,
        acute=bool(row["acute"]),
        avim_informed_at=row["avim_informed_at"],
        step=Step(row["step"]),
        step_since=row["step_since"],
        conclusion=row["conclusion"],
        closed_on=row["closed_on"],
        annulled_on=row.get("annulled_on"),
        open_actions=bool(row.get("has_open_actions")),
        referred=bool(row.get("has_referral")),
        destroy_on=row.get("destroy_on"),
    )


def signal_detail(store: Store, row: dict[str, Any]) -> SignalDetail:
    """Inside the caller's transaction: every use case returns the signal as it now stands."""
    from mhtool.store import lifecycle as lq

    children = q.signal_children(store, row["id"])
    forms = tuple(r["form"] for r in children["forms"])
    actions = tuple(
        ActionView(
            a["seq"],
            a["description"],
            a["due_on"],
            a["partner"],
            a["created_on"],
            a["created_by"],
            a["done_on"],
            a["done_by"],
            a["done_note"],
        )
        for a in lq.actions_of(store, row["id"])
    )
    outcomes = tuple(
        OutcomeView(
            o["kind"],
            o["on_date"],
            _bool(o["value"]),
            o["measure"],
            o["measure_status"],
            o["partner"],
            o["ends_on"],
            o["note"],
            o["created_by"],
        )
        for o in lq.outcomes_of(store, row["id"])
    )
    status_row = {
        **row,
        "has_open_actions": any(a.done_on is None for a in actions),
        "has_referral": any(o.kind == "verwijzing" for o in outcomes),
    }
    return SignalDetail(
        actions=actions,
        outcomes=outcomes,
        summary=summary_from_row(status_row, forms),
        reporter=row["reporter"],
        reporter_department=row["reporter_department"],
        description=row["description"],
        feedback_given=_bool(row["feedback_given"]),
        feedback_on=row["feedback_on"],
        criminal_case=_bool(row["criminal_case"]),
        shelter_arranged=_bool(row["shelter_arranged"]),
        measures=tuple(r["measure"] for r in children["measures"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        persons=tuple(
            PersonView(
                p["id"], p["name"], p["role"], p["birth_date"], p["birth_year"], p["nationality"]
            )
            for p in children["persons"]
        ),
        addresses=tuple(
            AddressView(
                a["id"],
                a["street"],
                a["house_number"],
                a["house_addition"],
                a["postcode"],
                a["city"],
            )
            for a in children["addresses"]
        ),
        organisations=tuple(
            OrganisationView(o["id"], o["name"], o["kvk"], o["sector"])
            for o in children["organisations"]
        ),
        events=tuple(
            EventView(
                e["kind"],
                e["from_step"],
                e["to_step"],
                e["on_date"],
                e["by_user"],
                e["note"],
                e["reason"],
                json.loads(e["details"]),
                e["recorded_at"],
            )
            for e in children["events"]
        ),
        notes=tuple(
            NoteView(n["id"], n["on_date"], n["by_user"], n["text"]) for n in children["notes"]
        ),
        history=tuple(
            HistoryView(
                h["at"],
                h["by_user"],
                h["entity"],
                h["entity_id"],
                h["action"],
                json.loads(h["changes"]),
            )
            for h in children["history"]
        ),
    )


_NO_RECORDING = (
    "Uw rol op de server staat deze handeling niet toe: u mag voor geen enkele gemeente signalen "
    "vastleggen (alleen lezen, alleen cijfers, of nog geen gemeente aan u toegewezen); er is "
    "niets gewijzigd. Vraag de beheerder om de juiste rol (zie docs/server.md)."
)


def check_recordable(allowed: frozenset[str] | None, municipality: str) -> None:
    """Refuse a gemeente the login may not log a signal for (`allowed` from
    Store.writable_municipalities; None: any). The server refuses it anyway; this says so in
    words, and in a form at the question itself instead of after all the others."""
    if allowed is None or municipality in allowed:
        return
    if not allowed:
        raise NotAllowedError(_NO_RECORDING)
    raise NotAllowedError(
        "Uw rol op de server staat deze handeling niet toe: gemeente "
        f"{municipality} is niet aan u toegewezen (u legt alleen signalen vast voor "
        f"{', '.join(sorted(allowed))}); er is niets gewijzigd. Vraag de beheerder als dat niet "
        "klopt."
    )


def recordable_municipalities(store: Store, user: str) -> frozenset[str] | None:
    """Before a form: the gemeenten to offer (None: all); a login that may log none is refused
    (and the refusal audited) before the first question."""
    allowed = store.writable_municipalities()
    if allowed is not None and not allowed:
        with audited(store, user, "signaal.nieuw", "signaal"):
            check_recordable(allowed, "")
    return allowed


def log_signal(store: Store, new: NewSignal, user: str) -> SignalDetail:
    with audited(store, user, "signaal.nieuw", "signaal") as entry:
        check_recordable(store.writable_municipalities(), new.municipality)
        signal_id, ref = q.insert_signal(store, new, user)
        entry.object_id = ref
        entry.details.update(
            personen=len(new.persons),
            adressen=len(new.addresses),
            organisaties=len(new.organisations),
        )
        return signal_detail(store, q.find_signal(store, ref))


def show_signal(store: Store, ref_text: str, user: str) -> SignalDetail:
    """Viewing a signal is logged (BIO): who saw which signal, and when."""
    ref = parse_ref(ref_text)
    with audited(store, user, "signaal.toon", "signaal", ref):
        return signal_detail(store, q.find_signal(store, ref))


def _used_filters(filters: SignalFilter) -> str:
    """Which filters were used, by name only: the values stay out of the audit log."""
    names = {
        "stap": filters.step is not None,
        "gemeente": filters.municipality is not None,
        "vorm": filters.form is not None,
        "jaar": filters.year is not None,
        "open": filters.open_only,
        "afgerond": filters.closed_only,
        "acuut": filters.acute_only,
        "met-vervallen": filters.with_annulled,
    }
    return ",".join(name for name, used in names.items() if used)


DEFAULT_LIST_LIMIT = 50
"""`signaal lijst` shows this many signals unless asked for more (documented in README)."""


@dataclass
class SignalListing:
    """One page of the list: its rows (read while they are consumed) out of how many."""

    counts: q.ListCounts
    offset: int
    limit: int | None
    rows: Iterator[SignalSummary]
    shown: int = 0

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def expected(self) -> int:
        """How many rows this page holds."""
        left = max(self.total - self.offset, 0)
        return left if self.limit is None else min(self.limit, left)


@contextlib.contextmanager
def listed_signals(
    store: Store,
    filters: SignalFilter,
    user: str,
    *,
    page: int = 1,
    limit: int | None = DEFAULT_LIST_LIMIT,
) -> Iterator[SignalListing]:
    """The signals a filter selects, most relevant first, one page of `limit` (None: all).

    Rows are read from one snapshot while the caller consumes them, so even a million go out in
    constant memory without holding the writer lock; the audit entry (filters by name, how many
    were shown, out of how many) is written afterwards, as for a search or an export.
    """
    if filters.open_only and filters.closed_only:
        raise ValidationError("Kies --open of --afgerond, niet allebei.")
    if page < 1:
        raise ValidationError("--pagina moet 1 of hoger zijn.")
    if limit is not None and limit < 1:
        raise ValidationError("--limiet moet 1 of hoger zijn.")
    if limit is None and page > 1:
        raise ValidationError("--pagina gaat samen met --limiet, niet met --alles.")
    listing: SignalListing | None = None
    try:
        with store.read(), translate_sqlite_errors():
            counts = q.count_listed(store, filters)
            offset = (page - 1) * limit if limit is not None else 0
            listing = SignalListing(counts, offset, limit, iter(()))
            listing.rows = _summaries(
                q.list_signals(store, filters, counts, offset, limit), listing
            )
            yield listing
    except (DatabaseError, DatabaseInUseError):
        raise  # the file itself is the problem: logging the refusal would fail the same way
    except MhtoolError as error:
        record_refusal(store, user, "signaal.lijst", "signaal", "", error)
        raise
    except BaseException:
        # Stopped half-way (a pager closed, Ctrl-C): what was shown is still logged.
        if listing is not None and listing.shown:
            with contextlib.suppress(MhtoolError):
                _record_listing(store, user, filters, listing)
        raise
    else:
        _record_listing(store, user, filters, listing)


def _summaries(rows: Iterator[dict[str, Any]], listing: SignalListing) -> Iterator[SignalSummary]:
    for r in rows:
        listing.shown += 1
        yield summary_from_row(r, tuple(r["forms"].split(",")) if r["forms"] else ())


def _record_listing(
    store: Store, user: str, filters: SignalFilter, listing: SignalListing | None
) -> None:
    shown = listing.shown if listing else 0
    details: dict[str, DetailValue] = {"filters": _used_filters(filters), "aantal": shown}
    if listing is not None and listing.total != shown:
        details["totaal"] = listing.total
    record(store, user, "signaal.lijst", "signaal", "", details=details)


def list_signals(
    store: Store,
    filters: SignalFilter,
    user: str,
    *,
    page: int = 1,
    limit: int | None = None,
) -> list[SignalSummary]:
    """The whole list (or one page) at once, for callers that want a list, not a stream."""
    with listed_signals(store, filters, user, page=page, limit=limit) as listing:
        return list(listing.rows)


def _step_details(move: Move, given: StepInput) -> dict[str, Any]:
    """What the step required, kept with the event so the history is self-contained."""
    details: dict[str, Any] = {}
    if given.check_outcome.strip():
        details["controle"] = given.check_outcome.strip()
    if given.partners:
        details["partners"] = [p.value for p in given.partners]
    if move.to_step is Step.CLOSED:
        details["conclusie"] = given.conclusion.value if given.conclusion else None
        details["terugkoppeling"] = given.feedback_given
        if given.feedback_given:
            details["terugkoppeling_op"] = (given.feedback_on or given.on_date).isoformat()
        # Not given means not recorded (None), never a silent "nee" in the yearly figures.
        details["strafrechtelijk_opgepakt"] = given.criminal_case
        details["opvang_geregeld"] = given.shelter_arranged
        details["bestuurlijke_maatregelen"] = [m.value for m in given.measures]
        if given.no_avim_reason.strip():
            details["geen_avim_reden"] = given.no_avim_reason.strip()
    return details


def _enters_step_2(current: Step, given: StepInput) -> bool:
    """Only a move into step 2 from step 1 runs the automatic check for earlier records."""
    target = given.target if given.target is not None else Step(min(current + 1, Step.CLOSED))
    return target is Step.RECORDED and current < Step.RECORDED


@dataclass(frozen=True)
class StepPreparation:
    """What the step form needs before asking: the signal as it is, and, for a move into
    step 2, the automatic check's findings (None when the move does not run it)."""

    current: SignalDetail
    checks: list[EntityCheck] | None


def prepare_step(store: Store, ref_text: str, given: StepInput) -> StepPreparation:
    """One read for the interactive step form. Not logged as a view: the step that follows
    is logged, refused or done, and a form that is cancelled changes and shows nothing new."""
    from mhtool.services.earlier_records import check_signal_entities

    ref = parse_ref(ref_text)
    with store.read():
        row = q.find_signal(store, ref)
        current = signal_detail(store, row)
        checks = None
        if _enters_step_2(current.summary.step, given):
            checks = check_signal_entities(store, row["id"])
    return StepPreparation(current, checks)


def _automatic_check(
    store: Store, row: dict[str, Any], given: StepInput
) -> tuple[StepInput, dict[str, Any] | None]:
    """Step 2 ('vastleggen en verrijken') runs the search for earlier records itself.

    What was checked and found is stored with the step event. The officer's `--controle` stays
    the conclusion; only when nothing was found and nothing was written is it filled in.
    """
    from mhtool.services.earlier_records import (
        NO_EARLIER_RECORDS,
        check_details,
        check_signal_entities,
    )

    if not _enters_step_2(Step(row["step"]), given):
        return given, None
    checks = check_signal_entities(store, row["id"])
    details = check_details(checks)
    if not given.check_outcome.strip():
        if details["gevonden"]:
            refs = sorted({r for f in details["gevonden"] for r in f["signalen"]})
            raise ValidationError(
                f"De automatische controle vond eerdere registraties in {', '.join(refs)}; "
                f"bekijk ze met 'mhtool zoek --signaal {row['ref']}' en geef uw conclusie op "
                "met --controle."
            )
        given = dataclasses.replace(given, check_outcome=NO_EARLIER_RECORDS)
    return given, details


def advance_signal(store: Store, ref_text: str, given: StepInput, user: str) -> SignalDetail:
    """Move a signal to its next step (or, with a reason, to another one)."""
    ref = parse_ref(ref_text)
    clean_text(given.note, "Notitie", required=False, limit=10_000)
    clean_text(given.reason, "Reden", required=False, limit=2_000)
    clean_text(given.check_outcome, "Controle", required=False, limit=10_000)
    with audited(store, user, "signaal.stap", "signaal", ref) as entry:
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        if given.feedback_on is not None:
            _not_before_receipt(
                given.feedback_on, row, "De datum van de terugkoppeling", "--terugkoppeling-datum"
            )
        entry.details["van"] = row["step"]
        if given.target is not None:
            entry.details["naar"] = int(given.target)
        given, check = _automatic_check(store, row, given)
        move = plan_move(Step(row["step"]), given, dt.date.fromisoformat(row["step_since"]))
        entry.details.update(naar=int(move.to_step or 0), soort=move.kind.value)
        if move.to_step is Step.CLOSED:
            clean_text(given.no_avim_reason, "Reden zonder AVIM", required=False, limit=2_000)
            check_avim_at_closing(bool(row["acute"]), row["avim_informed_at"], given)
            check_follow_up(given)
        details = _step_details(move, given)
        if check is not None:
            details["automatische_controle"] = check
        q.insert_event(store, row["id"], move, given, user, details)
        noted: dict[str, Any] = {}
        changes: dict[str, Any] = {
            "step": int(move.to_step or 0),
            "step_since": given.on_date.isoformat(),
        }
        if move.to_step is Step.CLOSED:
            conclusion = given.conclusion.value if given.conclusion else None
            # The bewaartermijn starts at closing; `heropen` clears the date again.
            destroy_on = destruction_date(given.on_date, conclusion, term_years(store))
            changes.update(
                {
                    "conclusion": conclusion,
                    "feedback_given": int(bool(given.feedback_given)),
                    "feedback_on": details.get("terugkoppeling_op"),
                    "criminal_case": _int_or_none(given.criminal_case),
                    "shelter_arranged": _int_or_none(given.shelter_arranged),
                    "closed_on": given.on_date.isoformat(),
                    "destroy_on": destroy_on.isoformat(),
                }
            )
            after = sorted(m.value for m in given.measures)
            before = q.replace_measures(store, row["id"], after)
            if before != after:
                noted["maatregelen"] = {"oud": before, "nieuw": after}
        q.update_signal(store, row["id"], changes, user, f"stap-{move.kind.value}", extra=noted)
        if move.to_step is Step.CLOSED:
            _follow_up_at_closing(store, row["id"], given, user)
        return signal_detail(store, q.find_signal(store, ref))


def _follow_up_at_closing(store: Store, signal_id: int, given: StepInput, user: str) -> None:
    """The flowchart: "verder onderzoek en afstemming nodig" leads to actie/vervolg. Without
    `--actie` mhtool makes the action itself, due after the municipality's norm, so the signal
    stays open (and on the agenda) until someone marks it done."""
    from mhtool.domain.lifecycle import DEFAULT_FOLLOW_UP, NORMS_BY_CODE
    from mhtool.domain.signal_input import MAX_TEXT
    from mhtool.store import lifecycle as lq

    description = clean_text(given.follow_up, "Actie", required=False, limit=MAX_TEXT)
    if not description and given.conclusion is not Conclusion.FURTHER_INQUIRY:
        return
    due = given.follow_up_due
    if due is None:
        norm = NORMS_BY_CODE["vervolgactie"]
        stored = lq.stored_norms(store).get(norm.code)
        days = int(stored["value"]) if stored else norm.default_days
        due = given.on_date + dt.timedelta(days=days)
    partner = given.follow_up_partner.value if given.follow_up_partner else ""
    lq.insert_action(
        store, signal_id, description or DEFAULT_FOLLOW_UP, due, partner, given.on_date, user
    )


def reopen_signal(
    store: Store, ref_text: str, reason: str, on_date: dt.date, user: str
) -> SignalDetail:
    ref = parse_ref(ref_text)
    with audited(store, user, "signaal.heropen", "signaal", ref):
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        reason = clean_text(reason, "Reden", required=True, limit=2_000)
        previous = q.step_before_closing(store, row["id"])
        move = plan_reopen(Step(row["step"]), reason, Step(previous) if previous else None)
        if on_date < dt.date.fromisoformat(row["step_since"]):
            raise ValidationError("De datum van heropenen ligt vóór de datum van afronding.")
        q.insert_event(store, row["id"], move, StepInput(on_date=on_date, reason=reason), user, {})
        before = q.replace_measures(store, row["id"], [])
        q.update_signal(
            store,
            row["id"],
            {
                "step": int(move.to_step or 4),
                "step_since": on_date.isoformat(),
                "conclusion": None,
                "feedback_given": None,
                "feedback_on": None,
                "criminal_case": None,
                "shelter_arranged": None,
                "closed_on": None,
                "destroy_on": None,
            },
            user,
            "heropend",
            extra={"maatregelen": {"oud": before, "nieuw": []}} if before else None,
        )
        return signal_detail(store, q.find_signal(store, ref))


def add_note(store: Store, ref_text: str, text: str, on_date: dt.date, user: str) -> SignalDetail:
    ref = parse_ref(ref_text)
    text = clean_text(text, "Notitie", required=True, limit=10_000)
    with audited(store, user, "signaal.notitie", "signaal", ref):
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        refuse_if_closed(row["step"])
        _not_before_receipt(on_date, row, "De datum van de notitie", "--datum")
        q.insert_note(store, row["id"], on_date, text, user)
        return signal_detail(store, q.find_signal(store, ref))


def _not_before_receipt(day: dt.date, row: dict[str, Any], what: str, option: str) -> None:
    received = dt.date.fromisoformat(row["received_on"])
    if day < received:
        raise ValidationError(
            f"{what} ({format_date(day)}) ligt vóór de ontvangstdatum van het signaal "
            f"({format_date(received)}); controleer {option}."
        )


def record_avim(
    store: Store, ref_text: str, moment: dt.datetime, user: str, reason: str = ""
) -> SignalDetail:
    ref = parse_ref(ref_text)
    with audited(store, user, "signaal.avim", "signaal", ref):
        row = q.find_signal(store, ref)
        if not row["acute"]:
            raise ValidationError(
                f"Signaal {ref} is niet als acuut vastgelegd; AVIM-melding hoort bij een acuut "
                "signaal."
            )
        refuse_if_annulled(ref, row["annulled_on"])
        _not_before_receipt(moment.date(), row, "Het tijdstip van de AVIM-melding", "--op")
        earlier = row["avim_informed_at"]
        if earlier and not reason.strip():
            raise ValidationError(
                f"AVIM is al ingeschakeld vastgelegd ({format_moment(earlier)}); geef --reden "
                "om dat tijdstip te corrigeren."
            )
        q.record_avim(store, row["id"], moment, user)
        if row["step"] == Step.CLOSED:
            # After closing, AVIM engaged is also an outcome, dated like the others.
            from mhtool.store import lifecycle as lq

            lq.insert_outcome(
                store,
                row["id"],
                {
                    "kind": "avim",
                    "on_date": moment.date().isoformat(),
                    "note": moment.isoformat(timespec="minutes"),
                },
                user,
            )
        if earlier:
            # The old and new moment are in the row record_avim wrote; this one says why.
            q.record_history(
                store,
                user,
                "avim-gecorrigeerd",
                "signal",
                row["id"],
                row["id"],
                {"reden": clean_text(reason, "Reden", required=True, limit=2_000)},
            )
        return signal_detail(store, q.find_signal(store, ref))
