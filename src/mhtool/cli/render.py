"""Everything that draws on the terminal. User text is always passed as `rich.text.Text`
(never parsed as markup) after `safe()` has made control characters visible."""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

from mhtool.domain.dates import format_date, minor_on
from mhtool.domain.enums import Step

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from mhtool.domain.views import EventView, SignalDetail, SignalSummary

# Bidirectional overrides and isolates can make text read differently from what is stored;
# line/paragraph separators and invisible marks can hide or fake line breaks.
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}
_INVISIBLE = {0x061C, 0x200B, 0x2028, 0x2029, 0xFEFF}
# Invisible although not of category Cf (Unicode's Default_Ignorable_Code_Point): combining
# grapheme joiner, Hangul fillers (they make a name look empty or like another), Khmer inherent
# vowels, Mongolian and other variation selectors, and the unassigned ignorable ranges.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)


def _is_hidden(code: int) -> bool:
    """C0/C1 controls (ESC starts every ANSI sequence), bidi controls, invisible separators,
    lone surrogates (undecodable bytes from argv, which would also crash the output stream),
    and every other invisible or line-breaking character: Unicode categories Cf (format: zero
    width joiners, word joiner, soft hyphen U+00AD, tag characters U+E0000-E007F, ...), Zl and
    Zp (line and paragraph separators), and the other default-ignorable (invisible) ones."""
    if code < 0x20 or 0x7F <= code < 0xA0:
        return True
    if code < 0xA0:
        return False
    return (
        code in _BIDI
        or code in _INVISIBLE
        or 0xD800 <= code <= 0xDFFF
        or any(low <= code <= high for low, high in _IGNORABLE_RANGES)
        or unicodedata.category(chr(code)) in _HIDDEN_CATEGORIES
    )


_HIDDEN_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})


def _escape(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: object) -> str:
    """Show control characters, ANSI escapes and bidi overrides as visible escapes."""
    out: list[str] = []
    for char in str(text):
        code = ord(char)
        if char in "\n\t":
            out.append(char)
        elif _is_hidden(code):
            out.append(_escape(code))
        else:
            out.append(char)
    return "".join(out)


def safe_json(data: Any) -> str:
    """JSON already escapes C0 controls; escape the rest of the hidden characters the same way
    (valid JSON: they can only occur inside strings), so a script printing it cannot be fooled."""
    raw = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return "".join(
        _json_escape(ord(c)) if ord(c) >= 0x7F and _is_hidden(ord(c)) else c for c in raw
    )


def _json_escape(code: int) -> str:
    """JSON writes a character beyond U+FFFF as its UTF-16 surrogate pair."""
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_console: Console | None = None
_err_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False, emoji=False)
    return _console


def error_console() -> Console:
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, emoji=False)
    return _err_console


def _clipped(message: str) -> str:
    """Errors quote what was typed; a 100,000-character value must not flood the terminal (or
    a log). A Dutch error sentence is far shorter than 600 characters, so a longer one is cut
    in the middle, keeping its start (what is wrong) and its end (what to do)."""
    if len(message) <= 600:
        return message
    return f"{message[:300]} … {message[-200:]}"


def print_error(message: str) -> None:
    """One Dutch sentence on stderr; plain write, so nothing in it is interpreted.

    A line break echoed from the user's input (a value quoted in the message) is shown as
    `\\n`, so an error is always one line and cannot print a forged line under it."""
    one_line = safe(_clipped(message)).replace("\n", "\\n").replace("\t", "\\t")
    sys.stderr.write(f"Fout: {one_line}\n")
    sys.stderr.flush()


def print_json(data: Any) -> None:
    sys.stdout.write(safe_json(data) + "\n")


def signal_outcome(detail: SignalDetail, as_json: bool, message: str, style: str = "") -> None:
    """What every signal command ends with: the signal as JSON for scripts, or one line."""
    if as_json:
        print_json(detail.as_json())
    else:
        console().print(text(message, style))


def text(value: object, style: str = "") -> Any:
    from rich.text import Text

    return Text(safe(value), style=style)


def yes_no(value: bool | None, unknown: str = "onbekend") -> str:
    return unknown if value is None else ("ja" if value else "nee")


def show_avim_route(detail: SignalDetail) -> None:
    """The plan's flowchart: an acute signal means AVIM (police) is engaged at once."""
    from rich.panel import Panel

    s = detail.summary
    if not s.avim_informed_at and (s.step is Step.CLOSED or s.annulled_on):
        # Closed without AVIM means a reason was given (shown in the Verloop); urging to
        # engage AVIM "directly" on a closed or annulled case would be wrong.
        return
    if s.avim_informed_at:
        body = text(f"AVIM geïnformeerd op {format_moment(s.avim_informed_at)}.")
    else:
        body = text(
            "Acuut: schakel direct AVIM (politie) in en bepaal wie wat doet.\n"
            f"Leg daarna vast wanneer AVIM is ingeschakeld: mhtool signaal avim {s.ref}"
        )
    console().print(Panel(body, title="ACUUT → direct AVIM inschakelen", border_style="red"))


def format_moment(value: str | None) -> str:
    """dd-mm-jjjj uu:mm in local time (domain.dates, where the weekly report uses it too)."""
    from mhtool.domain.dates import format_moment as moment

    return moment(value)


_PLURALS = {
    "signaal": "signalen",
    "persoon": "personen",
    "adres": "adressen",
    "organisatie": "organisaties",
    "tekst": "teksten",
    "resultaat": "resultaten",
    "treffer": "treffers",
    "regel": "regels",
    "dag": "dagen",
    "opdracht": "opdrachten",
    "inlognaam": "inlognamen",
}


def count(n: int, noun: str) -> str:
    """'1 signaal', '3 signalen': Dutch plurals instead of 'signaal/signalen'."""
    return f"{n} {noun if n == 1 else _PLURALS.get(noun, noun)}"


def compact_table() -> Table:
    """A table without side borders or padding, so listings fit an 80-column terminal."""
    from rich import box
    from rich.table import Table

    return Table(
        box=box.SIMPLE_HEAD,
        header_style="bold",
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )


# Closed signals show their conclusion in narrow columns; the full label is in `signaal toon`.
_CONCLUSION_SHORT = {"geen": "geen mh", "verder-onderzoek": "onderzoek", "duiding": "duiding"}


def step_short(step: Step, conclusion: str | None, follow_up: bool = False) -> str:
    """'2 vastleggen' for open signals, '5 onderzoek' for a closed one, fitting 80 columns;
    '+vervolg' when a closed signal still has an open follow-up action."""
    if step is Step.CLOSED and follow_up:
        return f"{step_short(step, conclusion)} +vervolg"
    if step is Step.CLOSED and conclusion:
        return f"5 {_CONCLUSION_SHORT.get(conclusion, conclusion)}"
    return step.short


def signal_table(items: list[SignalSummary], today: dt.date | None = None) -> None:
    """Fits an 80-column terminal: codes instead of long labels, a legend for the marks."""
    table = compact_table()
    table.add_column("Signaal", no_wrap=True)
    table.add_column("Ontvangen", no_wrap=True)
    table.add_column("Gemeente")
    table.add_column("Vorm")
    table.add_column("Acuut", no_wrap=True)
    table.add_column("Stap", no_wrap=True)
    table.add_column("Dagen", justify="right", no_wrap=True)
    waiting_for_avim = False
    for s in items:
        if s.acute and not s.avim_informed_at:
            waiting_for_avim = True
        acute = ("ja ✓" if s.avim_informed_at else "ja !") if s.acute else "nee"
        step = "VERVALLEN" if s.annulled else step_short(s.step, s.conclusion, s.open_actions)
        table.add_row(
            text(s.ref),
            text(format_date(s.received_on)),
            text(s.municipality),
            text(", ".join(s.forms)),
            text(acute, "bold red" if s.acute and not s.avim_informed_at else ""),
            text(step, "bold red" if s.annulled else ""),
            text("" if s.step is Step.CLOSED or s.annulled else str(s.days_in_step(today))),
        )
    console().print(table)
    console().print("Dagen = dagen in de huidige stap; ✓ = AVIM ingeschakeld.")
    if waiting_for_avim:
        console().print(text("! = acuut en AVIM nog niet ingeschakeld.", "bold red"))


def signal_detail(d: SignalDetail) -> None:
    """`signaal toon`: the facts, the linked persons, addresses and organisations, the route,
    the notes and the full history, each as its own block."""
    out = console()
    title = f"Signaal {d.summary.ref}"
    if d.summary.annulled:
        title += f"  VERVALLEN (sinds {format_date(d.summary.annulled_on)})"
    out.print(text(title, "bold red" if d.summary.annulled else "bold"))
    out.print(_facts(d))
    out.print(text("Omschrijving", "bold"))
    from rich.padding import Padding

    # Indented: free text keeps its lines, so from column 0 it could print lines that look
    # like this signal's own fields or tables.
    out.print(Padding(text(d.description), (0, 0, 0, 2)))
    for table in (
        _persons_table(d),
        _addresses_table(d),
        _organisations_table(d),
        _events_table(d),
        _actions_table(d),
        _outcomes_table(d),
        _notes_table(d),
        _history_table(d),
    ):
        if table is not None:
            out.print(table)


def _actions_table(d: SignalDetail) -> Table | None:
    """Follow-up actions (actie/vervolg), open ones marked."""
    from mhtool.domain.enums import Partner

    if not d.actions:
        return None
    t = _titled_table("Vervolgacties", "Nr", "Actie", "Partner", "Voor", "Klaar")
    for a in d.actions:
        done = (
            f"{format_date(a.done_on)} ({a.done_by})" + (f": {a.done_note}" if a.done_note else "")
            if a.done_on
            else "open"
        )
        t.add_row(
            text(a.seq),
            text(a.description),
            text(Partner.label_of(a.partner)),
            text(format_date(a.due_on)),
            text(done, "" if a.done_on else "bold"),
        )
    return t


def _outcomes_table(d: SignalDetail) -> Table | None:
    """What became known after closing (and AVIM engaged later), each with its date."""
    from mhtool.domain.enums import Measure, MeasureStatus, Partner
    from mhtool.domain.lifecycle import OutcomeKind

    if not d.outcomes:
        return None
    t = _titled_table("Uitkomsten", "Datum", "Uitkomst", "Toelichting", "Door")
    for o in d.outcomes:
        kind = OutcomeKind(o.kind) if o.kind in OutcomeKind.codes() else None
        what = kind.label_for(False) if kind and o.value is False else ""
        extra: list[str] = []
        if o.measure:
            status = MeasureStatus.label_of(o.measure_status) or "status niet vastgelegd"
            extra.append(f"{Measure.label_of(o.measure)}: {status}")
        if o.partner:
            extra.append(f"naar {Partner.label_of(o.partner)}")
        if o.ends_on:
            extra.append(f"tot {format_date(o.ends_on)}")
        if o.kind == "avim" and o.note:
            extra.append(format_moment(o.note))
        elif o.note:
            extra.append(o.note)
        t.add_row(
            text(format_date(o.on_date)),
            text(what or OutcomeKind.label_of(o.kind)),
            text("; ".join(extra)),
            text(o.created_by),
        )
    return t


def _titled_table(title: str, *columns: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, no_wrap=column == "Geboren")
    return table


def _fact_rows(d: SignalDetail) -> list[tuple[str, str]]:
    from mhtool.domain.enums import Channel, Form

    s = d.summary
    rows: list[tuple[str, str]] = [
        ("Ontvangen", format_date(s.received_on)),
        ("Gemeente", s.municipality),
        ("Melder", d.reporter + (f" ({d.reporter_department})" if d.reporter_department else "")),
        ("Kanaal", Channel.label_of(s.channel)),
        ("Vorm", ", ".join(Form.label_of(f) for f in s.forms)),
        ("Acuut", yes_no(s.acute)),
    ]
    if s.acute:
        rows.append(("AVIM geïnformeerd", format_moment(s.avim_informed_at) or "nog niet"))
    rows.append(("Stap", f"{s.step.label} (sinds {format_date(s.step_since)})"))
    if not s.annulled:
        rows.append(("Status", s.status.label))
    if s.step is Step.CLOSED:
        rows += _closing_rows(d)
    if s.annulled:
        rows.append(("Vervallen", f"ja, sinds {format_date(s.annulled_on)} (telt niet mee)"))
        if s.destroy_on:
            rows.append(("Vernietigingsdatum", format_date(s.destroy_on)))
    return rows


def _closing_rows(d: SignalDetail) -> list[tuple[str, str]]:
    from mhtool.domain.enums import Conclusion, Measure

    feedback = yes_no(d.feedback_given) + (
        f" ({format_date(d.feedback_on)})" if d.feedback_on else ""
    )
    return [
        ("Conclusie", Conclusion.label_of(d.summary.conclusion)),
        ("Terugkoppeling", feedback),
        ("Strafrechtelijk opgepakt", yes_no(d.criminal_case, unknown="niet vastgelegd")),
        ("Opvang geregeld", yes_no(d.shelter_arranged, unknown="niet vastgelegd")),
        ("Bestuurlijke maatregel", ", ".join(Measure.label_of(m) for m in d.measures) or "geen"),
    ]


def _facts(d: SignalDetail) -> Table:
    from rich.table import Table

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for key, value in _fact_rows(d):
        facts.add_row(key, text(value))
    return facts


def _persons_table(d: SignalDetail) -> Table | None:
    from mhtool.domain.enums import Role

    if not d.persons:
        return None
    t = _titled_table("Personen", "id", "Naam", "Rol", "Geboren", "Nationaliteit")
    for p in d.persons:
        born = format_date(p.birth_date) if p.birth_date else (str(p.birth_year or ""))
        minor = minor_on(p.birth_date, p.birth_year, d.summary.received_on)
        if minor is None and p.birth_year is not None:
            born += " (mogelijk minderjarig)"
        elif minor:
            born += " (minderjarig)"
        t.add_row(
            text(p.id), text(p.name), text(Role.label_of(p.role)), text(born), text(p.nationality)
        )
    return t


def _addresses_table(d: SignalDetail) -> Table | None:
    if not d.addresses:
        return None
    t = _titled_table("Adressen", "id", "Adres")
    for a in d.addresses:
        t.add_row(text(a.id), text(a.one_line))
    return t


def _organisations_table(d: SignalDetail) -> Table | None:
    from mhtool.domain.enums import Sector

    if not d.organisations:
        return None
    t = _titled_table("Organisaties", "id", "Naam", "KvK", "Sector")
    for o in d.organisations:
        t.add_row(text(o.id), text(o.name), text(o.kvk), text(Sector.label_of(o.sector)))
    return t


def _event_remarks(e: EventView) -> str:
    """What an event recorded besides its date and kind: reason, check, partners, conclusion."""
    from mhtool.domain.enums import Conclusion, Partner

    extra: list[str] = []
    if e.reason:
        extra.append(f"reden: {e.reason}")
    details = e.details
    if "controle" in details:
        extra.append(f"controle: {details['controle']}")
    if "automatische_controle" in details:
        found = details["automatische_controle"].get("gevonden", [])
        refs = sorted({r for f in found for r in f.get("signalen", [])})
        extra.append(
            "automatische controle: "
            + (f"eerdere registraties in {', '.join(refs)}" if refs else "niets gevonden")
        )
    if details.get("partners"):
        extra.append(
            "besproken met: " + ", ".join(Partner.label_of(p) for p in details["partners"])
        )
    if details.get("conclusie"):
        extra.append(f"conclusie: {Conclusion.label_of(details['conclusie'])}")
    if details.get("geen_avim_reden"):
        extra.append(f"zonder AVIM: {details['geen_avim_reden']}")
    if e.note:
        extra.append(e.note)
    return "; ".join(extra)


def _events_table(d: SignalDetail) -> Table:
    t = _titled_table("Verloop", "Datum", "Wat", "Door", "Toelichting")
    for e in d.events:
        t.add_row(
            text(format_date(e.on_date)),
            text(_event_label(e.kind, e.from_step, e.to_step)),
            text(e.by_user),
            text(_event_remarks(e)),
        )
    return t


def _notes_table(d: SignalDetail) -> Table | None:
    if not d.notes:
        return None
    t = _titled_table("Notities", "Datum", "Door", "Notitie")
    for n in d.notes:
        t.add_row(text(format_date(n.on_date)), text(n.by_user), text(n.text))
    return t


def _history_table(d: SignalDetail) -> Table:
    """Every change with who and when. A new route event has its own history row (what
    `ongedaan` needs) but is already a line of the Verloop table, so it is not repeated here."""
    from mhtool.domain.views import HISTORY_ACTIONS, HISTORY_ENTITIES

    t = _titled_table(
        "Historie (alle wijzigingen)", "Tijdstip", "Door", "Actie", "Object", "Wijziging"
    )
    for h in d.history:
        if h.entity == "step_event" and h.action == "aangemaakt":
            continue
        t.add_row(
            text(format_moment(h.at)),
            text(h.by_user),
            text(HISTORY_ACTIONS.get(h.action, h.action)),
            text(f"{HISTORY_ENTITIES.get(h.entity, h.entity)} {h.entity_id or ''}".strip()),
            text(describe_changes(h.changes)),
        )
    return t


# Field names as a reader writes them, where the stored name differs (history, timelines).
DISPLAY_LABELS = {"kvk": "KvK-nummer", "avim_informed_at": "AVIM ingeschakeld"}


def describe_changes(changes: dict[str, Any]) -> str:
    """'stap: 1 → 2; reden: typfout' for updates; created rows are described by their action."""
    from mhtool.domain.views import HISTORY_FIELDS

    parts: list[str] = []
    for key, value in changes.items():
        if isinstance(value, dict) and set(value) == {"oud", "nieuw"}:
            old, new = _field_value(key, value["oud"]), _field_value(key, value["nieuw"])
            label = DISPLAY_LABELS.get(key, HISTORY_FIELDS.get(key, key).replace("_", " "))
            parts.append(f"{label}: {_full(old)} → {_full(new)}")
        elif key in ("reden", "rol"):
            parts.append(f"{key}: {_full(value)}")
        elif key == "avim":
            shown = format_moment(value) if isinstance(value, str) else value
            parts.append(f"AVIM: {_full(shown)}")
    return "; ".join(parts)


def _field_value(key: str, value: object) -> object:
    """ja/nee for 0/1 flags, dd-mm-jjjj for dates, labels for conclusions, as elsewhere."""
    from mhtool.domain.enums import Conclusion
    from mhtool.domain.views import HISTORY_DATES, HISTORY_MOMENTS, HISTORY_YES_NO

    if value is None:
        return None
    if key in HISTORY_YES_NO:
        return yes_no(bool(value))
    if key in HISTORY_DATES and isinstance(value, str):
        return format_date(value)
    if key in HISTORY_MOMENTS and isinstance(value, str):
        return format_moment(value)
    if key == "conclusion" and isinstance(value, str):
        return Conclusion.label_of(value)
    return value


def _full(value: object) -> str:
    """A history value in full: the old text of a corrected description is the record of what
    was written before, so it is never cut (the table wraps it)."""
    if value is None:
        return "–"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value) or "–"
    return str(value)


def _event_label(kind: str, from_step: int | None, to_step: int | None) -> str:
    target = Step(to_step).short if to_step else ""
    return {
        "ontvangst": "ontvangen (stap 1)",
        "stap": f"naar stap {target}",
        "overslaan": f"overgeslagen naar stap {target}",
        "terug": f"terug naar stap {target}",
        "heropen": f"heropend, naar stap {target}",
        "avim": "AVIM ingeschakeld",
        "vervallen": "VERVALLEN verklaard",
        "hersteld": "vervallen hersteld",
    }.get(kind, kind)
