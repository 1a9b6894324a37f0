"""Dutch wording for what typer prints itself: help headings, the help option, usage errors.

typer vendors its own copy of click with fixed English strings, so this module (the one place
that knows about typer internals) patches the few hooks once at start-up and translates usage
error messages with a table of patterns. Unknown messages pass through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

HELP_OPTION_TEXT = "Toon deze hulp en stop."

_PATTERNS: list[tuple[str, str]] = [
    (
        r"^No such option: (\S+?)\s*\((?:Possible options|Did you mean):? (.+?)\??\)$",
        "onbekende optie {0} (bedoelt u {1}?).",
    ),
    (
        r"^No such option: (\S+?)(?:\s*Did you mean (.+?)\?)?\.?$",
        "onbekende optie {0}.",
    ),
    (
        r"^No such command '(.+?)'\.\s*Did you mean (.+?)\?$",
        "onbekende opdracht '{0}'; bedoelt u {1}?",
    ),
    (r"^No such command '?(.+?)'?\.$", "onbekende opdracht '{0}'."),
    (r"^Missing option '?(.+?)'?\.?$", "de optie {0} ontbreekt."),
    (r"^Missing argument '?(.+?)'?\.?$", "het argument {0} ontbreekt."),
    (r"^Missing command\.?$", "geef een opdracht op."),
    (
        r"^Option '?(.+?)'? requires an argument\.$",
        "de optie {0} heeft een waarde nodig.",
    ),
    (
        r"^Option '?(.+?)'? requires \d+ arguments\.$",
        "de optie {0} heeft meer waarden nodig.",
    ),
    (r"^Option '?(.+?)'? does not take a value\.$", "de optie {0} neemt geen waarde."),
    (
        r"^Got unexpected extra argument(?:s|\(s\))? \((.+)\)$",
        "onverwacht extra argument ({0}); zet tekst met spaties tussen aanhalingstekens.",
    ),
    (r"^Invalid value for '?(.+?)'?: (.+)$", "ongeldige waarde voor {0}: {1}"),
    (r"^Invalid value: (.+)$", "ongeldige waarde: {0}"),
]
_VALUE_PATTERNS: list[tuple[str, str]] = [
    (
        r"^(?:Value )?'?(.*?)'? is not a valid (?:integer|int|int range)\.?$",
        "'{0}' is geen geheel getal.",
    ),
    (
        r"^(\S+) is not in the range (\d+) t/m (\d+)\.?$",
        "{0} ligt niet tussen {1} en {2}.",
    ),
    (
        r"^(\S+) is not in the range minstens (\S+?)\.?$",
        "{0} is te klein; minstens {1}.",
    ),
    (
        r"^(\S+) is not in the range hoogstens (\S+?)\.?$",
        "{0} is te groot; hoogstens {1}.",
    ),
    (r"^(.+?) is not in the range (.+?)\.?$", "{0} ligt niet binnen {1}."),
    (
        r"^(?:Value )?'?(.*?)'? is not a valid (?:boolean|bool)\.?$",
        "'{0}' is geen ja/nee.",
    ),
    (
        r"^Input should be less than or equal to (\S+)$",
        "de waarde mag hoogstens {0} zijn.",
    ),
    (
        r"^Input should be greater than or equal to (\S+)$",
        "de waarde moet minstens {0} zijn.",
    ),
    (r"^Input should be a valid integer.*$", "de waarde moet een geheel getal zijn."),
    (r"^Input should be a valid boolean.*$", "de waarde moet ja of nee zijn."),
]
_HEADINGS = {
    "Arguments": "Argumenten",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "required": "verplicht",
    "default: {default}": "standaard: {default}",
}


def translate_message(message: str) -> str:
    """Usage error text from typer -> a Dutch sentence (lower-case start, as after 'Fout: ')."""
    message = message.strip()
    for pattern, template in _PATTERNS:
        match = re.match(pattern, message)
        if match:
            parts = [translate_value(g) if g else "" for g in match.groups()]
            return template.format(*parts)
    return translate_value(message)


def translate_value(message: str) -> str:
    for pattern, template in _VALUE_PATTERNS:
        match = re.match(pattern, message.strip())
        if match:
            return template.format(*match.groups())
    return message


_METAVARS = {
    "<str>": "TEKST",
    "<int>": "GETAL",
    "<int range>": "GETAL",
    "<integer>": "GETAL",
    "<path>": "PAD",
    "<bool>": "JA/NEE",
}


def dutch_metavar(metavar: str) -> str:
    """'<str>' -> 'TEKST'; an argument's '{ref}' -> 'REF' (capitals, as usage lines expect)."""
    for english, dutch in _METAVARS.items():
        metavar = metavar.replace(english, dutch)
    if metavar.startswith("{") and metavar.endswith("}"):
        metavar = metavar[1:-1].upper()
    elif metavar.startswith("[") and metavar.endswith("]") and metavar[1:-1].islower():
        metavar = f"[{metavar[1:-1].upper()}]"
    elif metavar.islower():
        metavar = metavar.upper()
    return metavar


# Words ending in a full stop that do not end a sentence ('(art. 15 AVG)', 'bijv. 12a').
_ABBREVIATION = re.compile(r"\b(art|bijv|bv|o\.a|nr|ca|incl|excl|e\.d)\.(?=\s)", re.IGNORECASE)
_NOT_A_FULL_STOP = "\u2024"  # one dot leader: looks like '.', does not end a sentence for click


def short_help(help: str, max_length: int = 45) -> str:
    """click's one-line summary of a help text, without ending the sentence at an abbreviation:
    'Maak een inzageoverzicht (art.' was all `mhtool persoon --help` showed. Otherwise exactly
    click's own summary (same length, same cut)."""
    from typer._click.utils import make_default_short_help

    protected = _ABBREVIATION.sub(lambda m: m.group(0)[:-1] + _NOT_A_FULL_STOP, help)
    return make_default_short_help(protected, max_length).replace(_NOT_A_FULL_STOP, ".")


def _heading(message: str) -> str:
    return _HEADINGS.get(message, message)


def _describe_range(self: Any) -> str:
    """'[1 t/m 5]' instead of click's '[1<=x<=5]' in help and range errors."""
    low = None if self.min is None else self.min + (1 if self.min_open else 0)
    high = None if self.max is None else self.max - (1 if self.max_open else 0)
    if low is None:
        return f"hoogstens {high}"
    if high is None:
        return f"minstens {low}"
    return f"{low} t/m {high}"


def install() -> None:
    """Patch typer's help texts once; safe to call more than once."""
    import typer.core
    from typer._click import core, formatting, types

    # typer.rich_utils is not touched: every Typer here sets rich_markup_mode=None, so help and
    # errors go through click's plain formatter patched below, and importing rich_utils would
    # pull rich.markdown, markdown_it and pygments into every start (≈ 70 ms).
    setattr(typer.core, "_", _heading)  # noqa: B010 - typer.core does not export `_`
    setattr(types._NumberRangeBase, "_describe_range", _describe_range)  # noqa: B010
    setattr(core, "make_default_short_help", short_help)  # noqa: B010 - used by get_short_help_str

    if getattr(formatting.HelpFormatter, "_mhtool_dutch", False):
        return
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[OPTIES]").replace(
            "COMMAND [ARGS]...", "OPDRACHT [ARGUMENTEN]..."
        )
        original_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    original_help_option = core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    core.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    for parameter_class in (typer.core.TyperOption, typer.core.TyperArgument):
        original_metavar = parameter_class.make_metavar

        def make_metavar(
            self: Any, *args: Any, _original: Any = original_metavar, **kw: Any
        ) -> str:
            return dutch_metavar(_original(self, *args, **kw))

        parameter_class.make_metavar = make_metavar  # type: ignore[method-assign]
    formatting.HelpFormatter._mhtool_dutch = True  # type: ignore[attr-defined]
