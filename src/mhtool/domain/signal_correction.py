"""Corrections to a logged signal: which fields may change after the fact, and how checked.

The ontvangstdatum is correctable too. The signal keeps its number (MH-2016-0005 stays
MH-2016-0005 when the date becomes 2026): numbers are never reissued and may already be in
letters and other systems. Statistics, `signaal lijst --jaar` and the weekly report follow the
corrected date (`signal.received_year`); the old date stays in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from mhtool.domain.dates import parse_receipt_date
from mhtool.domain.enums import Channel, Form
from mhtool.domain.municipalities import resolve_municipality
from mhtool.domain.signal_input import MAX_TEXT, clean_text, parse_choice
from mhtool.errors import ValidationError


@dataclass(frozen=True)
class SignalCorrection:
    received_on: dt.date | None = None
    municipality: str | None = None
    reporter: str | None = None
    reporter_department: str | None = None
    channel: Channel | None = None
    forms: tuple[Form, ...] | None = None
    description: str | None = None
    acute: bool | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in vars(self).values())


def build_correction(
    *,
    received_on: str | None = None,
    municipality: str | None = None,
    reporter: str | None = None,
    reporter_department: str | None = None,
    channel: str | None = None,
    forms: Iterable[str] | None = None,
    description: str | None = None,
    acute: bool | None = None,
) -> SignalCorrection:
    form_values: tuple[Form, ...] | None = None
    if forms is not None:
        form_values = tuple(dict.fromkeys(parse_choice(Form, f, "Vorm") for f in forms))
        if not form_values:
            raise ValidationError("Geef ten minste één vorm op, of 'onbekend'.")
    correction = SignalCorrection(
        received_on=parse_receipt_date(received_on) if received_on is not None else None,
        municipality=resolve_municipality(municipality) if municipality is not None else None,
        reporter=clean_text(reporter, "Melder", required=True) if reporter is not None else None,
        reporter_department=(
            clean_text(reporter_department, "Afdeling van de melder", required=False)
            if reporter_department is not None
            else None
        ),
        channel=parse_choice(Channel, channel, "Kanaal") if channel is not None else None,
        forms=form_values,
        description=(
            clean_text(description, "Omschrijving", required=True, limit=MAX_TEXT)
            if description is not None
            else None
        ),
        acute=acute,
    )
    if correction.is_empty():
        raise ValidationError(
            "Geef op wat er verandert, bijvoorbeeld --datum, --omschrijving, --gemeente of --acuut."
        )
    return correction
