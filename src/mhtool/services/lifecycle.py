"""Use cases of the case after step 5: follow-up actions, outcomes, norms and the agenda."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mhtool.domain.dates import format_date
from mhtool.domain.enums import Measure, MeasureStatus, Partner, Step
from mhtool.domain.lifecycle import (
    FEEDBACK_WINDOW_DAYS,
    NORMS,
    STEP_NORM,
    AgendaItem,
    AgendaKind,
    Norm,
    OutcomeKind,
    check_measure_status,
)
from mhtool.domain.meldroute import refuse_if_annulled
from mhtool.domain.signal_input import MAX_TEXT, clean_text
from mhtool.domain.signal_ref import parse_ref
from mhtool.domain.views import SignalDetail
from mhtool.errors import NotAllowedError, ValidationError

# The reminder after other commands lives in its own light module; the names stay here too.
from mhtool.services.agenda_hint import HINT_ENV, overdue_hint  # noqa: F401
from mhtool.services.audit import audited
from mhtool.services.signals import signal_detail
from mhtool.store import lifecycle as lq
from mhtool.store import signals as q
from mhtool.store.connection import Store


def _not_before(day: dt.date, earliest: str, what: str, option: str, than: str) -> None:
    first = dt.date.fromisoformat(earliest)
    if day < first:
        raise ValidationError(
            f"{what} ({format_date(day)}) ligt vóór {than} ({format_date(first)}); "
            f"controleer {option}."
        )


# --- follow-up actions --------------------------------------------------------------------------


def add_action(
    store: Store,
    ref_text: str,
    description: str,
    due_on: dt.date,
    partner: Partner | None,
    on_date: dt.date,
    user: str,
) -> tuple[SignalDetail, int]:
    """Any signal can get an action; a closed one with an open action is open again (FollowUp)
    without reopening, so its step history stays as it was."""
    ref = parse_ref(ref_text)
    description = clean_text(
        description, "Omschrijving van de actie", required=True, limit=MAX_TEXT
    )
    with audited(store, user, "signaal.actie", "signaal", ref) as entry:
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        _not_before(on_date, row["received_on"], "De datum", "--datum", "de ontvangstdatum")
        if due_on < on_date:
            raise ValidationError(
                f"De datum bij --voor ({format_date(due_on)}) ligt vóór vandaag of --datum "
                f"({format_date(on_date)}); kies een datum waarop de actie klaar moet zijn."
            )
        seq = lq.insert_action(
            store, row["id"], description, due_on, partner.value if partner else "", on_date, user
        )
        entry.details["actie"] = seq
        return signal_detail(store, q.find_signal(store, ref)), seq


def finish_action(
    store: Store, ref_text: str, seq: int, done_on: dt.date, note: str, user: str
) -> SignalDetail:
    ref = parse_ref(ref_text)
    note = clean_text(note, "Toelichting", required=False, limit=MAX_TEXT)
    if seq < 1:
        raise ValidationError(f"Actie {seq} bestaat niet; acties zijn genummerd vanaf 1.")
    with audited(store, user, "signaal.actie_klaar", "signaal", ref) as entry:
        entry.details["actie"] = seq
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        action = lq.find_action(store, row["id"], seq, ref)
        if action["done_on"]:
            raise NotAllowedError(
                f"Actie {seq} van {ref} is al klaar (op {format_date(action['done_on'])})."
            )
        _not_before(
            done_on, action["created_on"], "De datum", "--datum", "het aanmaken van de actie"
        )
        lq.finish_action(store, action, done_on, note, user)
        return signal_detail(store, q.find_signal(store, ref))


# --- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeInput:
    """What `signaal uitkomst` was given; several outcomes of one day may come together."""

    on_date: dt.date
    feedback: bool = False
    criminal_case: bool | None = None
    shelter: bool | None = None
    measures: tuple[Measure, ...] = ()
    measure_status: MeasureStatus | None = None
    referral_to: Partner | None = None
    reason: str = ""
    comensha: bool = False
    reflection_period: bool = False
    reflection_until: dt.date | None = None
    note: str = ""
    kinds: tuple[OutcomeKind, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        kinds: list[OutcomeKind] = []
        if self.feedback:
            kinds.append(OutcomeKind.FEEDBACK)
        if self.criminal_case is not None:
            kinds.append(OutcomeKind.CRIMINAL_CASE)
        if self.shelter is not None:
            kinds.append(OutcomeKind.SHELTER)
        if self.measures:
            kinds.append(OutcomeKind.MEASURE)
        if self.referral_to is not None:
            kinds.append(OutcomeKind.REFERRAL)
        if self.comensha:
            kinds.append(OutcomeKind.COMENSHA)
        if self.reflection_period:
            kinds.append(OutcomeKind.REFLECTION_PERIOD)
        object.__setattr__(self, "kinds", tuple(kinds))
        object.__setattr__(self, "measures", tuple(dict.fromkeys(self.measures)))

    def check(self) -> None:
        """Options that belong to another first (they name what is missing), then emptiness."""
        if self.measure_status is not None and not self.measures:
            raise ValidationError("--status hoort bij --maatregel; geef ook --maatregel op.")
        if self.referral_to is None and self.reason.strip():
            raise ValidationError("--reden hoort bij --verwijzing; geef ook --verwijzing op.")
        if self.reflection_until is not None and not self.reflection_period:
            raise ValidationError("--tot hoort bij --bedenktijd; geef ook --bedenktijd op.")
        if not self.kinds:
            raise ValidationError(
                "Geef op welke uitkomst u vastlegt: --terugkoppeling, --strafrechtelijk, "
                "--opvang, --maatregel, --verwijzing, --comensha of --bedenktijd."
            )
        if self.measures:
            check_measure_status(self.measure_status)
        if self.referral_to is not None and not self.reason.strip():
            raise ValidationError(
                "Geef bij een verwijzing ook de reden op (--reden): waarom deze organisatie?"
            )


# Outcomes that complete what closing records on the signal itself: only after closing.
_AFTER_CLOSING = (OutcomeKind.FEEDBACK, OutcomeKind.CRIMINAL_CASE, OutcomeKind.SHELTER)


def record_outcome(store: Store, ref_text: str, given: OutcomeInput, user: str) -> SignalDetail:
    """Record what became known, without reopening: a dated row per outcome, and the signal's
    own figures (terugkoppeling, strafrechtelijk, opvang) brought up to date with old and new
    values in the history, so `statistiek` and `jaarverslag` count them."""
    ref = parse_ref(ref_text)
    given.check()
    note = clean_text(given.note, "Notitie", required=False, limit=MAX_TEXT)
    reason = clean_text(given.reason, "Reden", required=False, limit=2_000)
    with audited(store, user, "signaal.uitkomst", "signaal", ref) as entry:
        entry.details["soorten"] = ",".join(k.value for k in given.kinds)
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        _not_before(given.on_date, row["received_on"], "De datum", "--datum", "de ontvangstdatum")
        if row["step"] != Step.CLOSED:
            early = [k for k in given.kinds if k in _AFTER_CLOSING]
            if early:
                raise NotAllowedError(
                    f"Signaal {ref} is nog niet afgerond; {early[0].label} legt u vast bij "
                    "afronding ('mhtool signaal stap' met --conclusie)."
                )
        day = given.on_date.isoformat()
        base: dict[str, Any] = {"on_date": day, "note": note}
        changes: dict[str, Any] = {}
        if given.feedback:
            lq.insert_outcome(
                store, row["id"], {**base, "kind": "terugkoppeling", "value": 1}, user
            )
            changes["feedback_given"] = 1
            if not row["feedback_on"]:
                changes["feedback_on"] = day
        if given.criminal_case is not None:
            value = int(given.criminal_case)
            lq.insert_outcome(
                store, row["id"], {**base, "kind": "strafrechtelijk", "value": value}, user
            )
            changes["criminal_case"] = value
        if given.shelter is not None:
            value = int(given.shelter)
            lq.insert_outcome(store, row["id"], {**base, "kind": "opvang", "value": value}, user)
            changes["shelter_arranged"] = value
        status = given.measure_status.value if given.measure_status else None
        for measure in given.measures:
            lq.insert_outcome(
                store,
                row["id"],
                {**base, "kind": "maatregel", "measure": measure.value, "measure_status": status},
                user,
            )
        if given.referral_to is not None:
            record = {**base, "kind": "verwijzing", "partner": given.referral_to.value}
            record["note"] = "; ".join(t for t in (reason, note) if t)
            lq.insert_outcome(store, row["id"], record, user)
        if given.comensha:
            lq.insert_outcome(store, row["id"], {**base, "kind": "comensha"}, user)
        if given.reflection_period:
            ends = _reflection_end(store, given.on_date, given.reflection_until)
            lq.insert_outcome(
                store, row["id"], {**base, "kind": "bedenktijd", "ends_on": ends.isoformat()}, user
            )
        changed = {k: v for k, v in changes.items() if row[k] != v}
        if changed:
            q.update_signal(store, row["id"], changed, user, "uitkomst-signaal")
        return signal_detail(store, q.find_signal(store, ref))


def _reflection_end(store: Store, start: dt.date, until: dt.date | None) -> dt.date:
    """The plan: a bedenktijd of at most three months (Vreemdelingenwet art. 8 onder k)."""
    days = norm_days(store)["bedenktijd"]
    if until is None:
        return start + dt.timedelta(days=days)
    if until <= start:
        raise ValidationError("De einddatum bij --tot ligt niet na het begin van de bedenktijd.")
    if until > start + dt.timedelta(days=92):
        raise ValidationError(
            "Een bedenktijd duurt maximaal drie maanden (Vreemdelingenwet art. 8 onder k); "
            "controleer --tot."
        )
    return until


# --- norms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NormView:
    norm: Norm
    days: int
    set_by: str | None
    set_at: str | None

    @property
    def confirmed(self) -> bool:
        return self.set_by is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "norm": self.norm.code,
            "omschrijving": self.norm.label,
            "dagen": self.days,
            "standaard": self.norm.default_days,
            "vastgesteld": self.confirmed,
            "vastgesteld_door": self.set_by,
            "vastgesteld_op": self.set_at,
        }


def norm_days(store: Store) -> dict[str, int]:
    """Every norm in days: the municipality's value, else the documented default."""
    stored = lq.stored_norms(store)
    days: dict[str, int] = {}
    for norm in NORMS:
        raw = stored.get(norm.code, {}).get("value")
        days[norm.code] = int(raw) if raw is not None and str(raw).isdigit() else norm.default_days
    return days


def show_norms(store: Store) -> list[NormView]:
    with store.read():
        stored = lq.stored_norms(store)
        days = norm_days(store)
    return [
        NormView(
            n,
            days[n.code],
            stored[n.code]["updated_by"] if n.code in stored else None,
            stored[n.code]["updated_at"] if n.code in stored else None,
        )
        for n in NORMS
    ]


def set_norm(store: Store, norm: Norm, days: int, user: str) -> NormView:
    norm.check(days)
    with audited(store, user, "norm.zet", "norm") as entry:
        entry.details["norm"] = norm.code
        old = lq.put_norm(store, norm.code, days, user)
        entry.details.update(dagen=days, oud=old)
    return next(v for v in show_norms(store) if v.norm.code == norm.code)


# --- agenda -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agenda:
    today: str
    municipality: str | None
    items: tuple[AgendaItem, ...]
    totals: dict[AgendaKind, int]
    limit: int

    def as_json(self) -> dict[str, Any]:
        today = dt.date.fromisoformat(self.today)
        return {
            "vandaag": self.today,
            "gemeente": self.municipality,
            "per_soort": {k.value: self.totals.get(k, 0) for k in AgendaKind},
            "items": [i.as_json(today) for i in self.items],
        }

    def shown(self, kind: AgendaKind) -> int:
        return sum(1 for i in self.items if i.kind is kind)


def agenda(
    store: Store,
    user: str,
    municipality: str | None = None,
    today: dt.date | None = None,
    limit: int = 25,
) -> Agenda:
    """What must I do now? Most urgent first (order of `AgendaKind`), then longest overdue.
    Each kind shows at most `limit` items and counts the rest."""
    today = today or dt.date.today()
    items: list[AgendaItem] = []
    totals: dict[AgendaKind, int] = {}
    with audited(store, user, "agenda", "signaal") as entry:
        days = norm_days(store)
        ahead = today + dt.timedelta(days=days["vooruitkijken"])

        rows, totals[AgendaKind.ACUTE_WITHOUT_AVIM] = lq.acute_without_avim(
            store, municipality, limit
        )
        items += [
            AgendaItem(
                AgendaKind.ACUTE_WITHOUT_AVIM,
                r["ref"],
                r["municipality"],
                r["due_on"],
                f"schakel direct AVIM in en leg het vast: mhtool signaal avim {r['ref']}",
            )
            for r in rows
        ]

        late, totals[AgendaKind.ACTION_OVERDUE] = lq.actions_due_between(
            store, None, today - dt.timedelta(days=1), municipality, limit
        )
        soon, totals[AgendaKind.ACTION_DUE] = lq.actions_due_between(
            store, today, ahead, municipality, limit
        )
        for kind, rows in ((AgendaKind.ACTION_OVERDUE, late), (AgendaKind.ACTION_DUE, soon)):
            for r in rows:
                partner = f" (met {Partner.label_of(r['partner'])})" if r["partner"] else ""
                items.append(
                    AgendaItem(
                        kind,
                        r["ref"],
                        r["municipality"],
                        r["due_on"],
                        f"actie {r['seq']}: {r['description']}{partner}",
                    )
                )

        over_total = 0
        for step, code in STEP_NORM.items():
            cutoff = today - dt.timedelta(days=days[code])
            rows, n = lq.steps_over_norm(store, step, cutoff, municipality, limit)
            over_total += n
            items += [
                AgendaItem(
                    AgendaKind.STEP_OVER_NORM,
                    r["ref"],
                    r["municipality"],
                    (
                        dt.date.fromisoformat(r["step_since"]) + dt.timedelta(days=days[code])
                    ).isoformat(),
                    f"{Step(step).label} sinds {format_date(r['step_since'])} "
                    f"(norm {days[code]} {'dag' if days[code] == 1 else 'dagen'})",
                )
                for r in rows
            ]
        totals[AgendaKind.STEP_OVER_NORM] = over_total

        rows, totals[AgendaKind.B8_ENDING] = lq.reflection_periods_ending(
            store, today - dt.timedelta(days=days["vooruitkijken"]), ahead, municipality, limit
        )
        items += [
            AgendaItem(
                AgendaKind.B8_ENDING,
                r["ref"],
                r["municipality"],
                r["ends_on"],
                f"bedenktijd sinds {format_date(r['on_date'])} "
                f"{'eindigde' if r['ends_on'] < today.isoformat() else 'eindigt'} op "
                f"{format_date(r['ends_on'])}",
            )
            for r in rows
        ]

        rows, totals[AgendaKind.FEEDBACK_OWED] = lq.feedback_owed(
            store, today - dt.timedelta(days=FEEDBACK_WINDOW_DAYS), municipality, limit
        )
        items += [
            AgendaItem(
                AgendaKind.FEEDBACK_OWED,
                r["ref"],
                r["municipality"],
                (
                    dt.date.fromisoformat(r["closed_on"])
                    + dt.timedelta(days=days["terugkoppeling"])
                ).isoformat(),
                f"afgerond op {format_date(r['closed_on'])}; geef de melder terugkoppeling en "
                f"leg het vast: mhtool signaal uitkomst {r['ref']} --terugkoppeling",
            )
            for r in rows
        ]
        entry.details.update(
            filters="gemeente" if municipality else "", aantal=sum(totals.values())
        )
    items.sort(key=lambda i: i.sort_key(today))
    return Agenda(today.isoformat(), municipality, tuple(items), totals, limit)
