"""Every top-level command in one table, and the click group that builds a command only when
it is used.

typer turns each parameter of each command into click objects when the CLI starts; with ~30
commands and ~170 parameters that was a third of `mhtool --help`. Here the root group knows
only names, modules and one-line summaries: `mhtool zoek ...` imports and builds `zoek` alone,
`mhtool --help` imports no command module at all, and `mhtool signaal --help` imports the
signal commands but builds none of their parameters.

Adding a top-level command or group = one `LazyCommand` line in `COMMANDS` (a subcommand of an
existing group is added with `@app.command(...)` in the group's module, as before).
`tests/test_cli_registry.py` checks that each summary is the first sentence of the command's
real help.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import typer
import typer.main
from typer._click import Command, Context, HelpFormatter
from typer._click.utils import make_default_short_help
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo


class LazyCommand:
    """A top-level command: `module.attribute` is a command function or a `typer.Typer` group;
    `summary` is the first sentence of its help (what `mhtool --help` shows). A plain class: this
    module is imported by `mhtool --help`, and dataclasses would cost start-up time."""

    __slots__ = ("attribute", "module", "name", "summary")

    def __init__(self, name: str, module: str, attribute: str, summary: str) -> None:
        self.name = name
        self.module = module
        self.attribute = attribute
        self.summary = summary


COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand(
        "info",
        "general_commands",
        "info",
        "Toon welke database wordt gebruikt (bestand of server) en wat erin staat.",
    ),
    LazyCommand(
        "gemeenten", "general_commands", "municipalities", "Toon de gemeenten die mhtool kent."
    ),
    LazyCommand(
        "meldroute",
        "general_commands",
        "route",
        "Toon de stappen van de meldroute, wat elke stap vraagt en waar elke conclusie heen "
        "leidt (actie/vervolg, verwijzing, uitkomsten), met de codes voor partners en "
        "maatregelen.",
    ),
    LazyCommand(
        "jaarverslag",
        "annual_report_commands",
        "annual_report_command",
        "Maak het jaarverslag: signalen per gemeente en vorm, doorlooptijden, terugkoppeling, "
        "uitkomsten, partners, maatregelen, minderjarigen en acute signalen.",
    ),
    LazyCommand(
        "agenda",
        "lifecycle_commands",
        "agenda",
        "Toon wat nu moet gebeuren, het dringendste eerst.",
    ),
    LazyCommand(
        "normen",
        "lifecycle_commands",
        "norms_app",
        "Normen per stap (doorlooptijd in dagen), vast te stellen door de gemeente.",
    ),
    LazyCommand(
        "init",
        "storage_commands",
        "init",
        "Maak een nieuwe, lege database (standaard of met --db), eventueel versleuteld.",
    ),
    LazyCommand(
        "backup",
        "storage_commands",
        "backup",
        "Maak een gecontroleerde back-up van de database (versleuteld blijft versleuteld).",
    ),
    LazyCommand(
        "vergrendel",
        "storage_commands",
        "lock",
        "Vergrendel de versleutelde database: vergeet de onthouden sleutel meteen.",
    ),
    LazyCommand(
        "statistiek",
        "statistics_commands",
        "statistics_command",
        "Tel signalen per gemeente en jaar, of toon de tabellen uit het beleidsplan (§1.5).",
    ),
    LazyCommand(
        "rapport",
        "report_commands",
        "report_command",
        "Maak het weekrapport: nieuwe signalen, stapwijzigingen, afgeronde en acute signalen, "
        "en signalen die lang in één stap staan.",
    ),
    LazyCommand(
        "opschonen",
        "retention_commands",
        "purge",
        "Vernietig afgeronde en vervallen signalen waarvan de bewaartermijn voorbij is, met "
        "alles wat alleen bij die signalen hoort.",
    ),
    LazyCommand(
        "zoek",
        "search_commands",
        "zoek",
        "Zoek eerdere signalen met dezelfde of een gelijkende persoon, adres of organisatie.",
    ),
    LazyCommand(
        "signaal",
        "signal_commands",
        "app",
        "Signalen vastleggen, bekijken en door de meldroute bewegen.",
    ),
    LazyCommand(
        "ongedaan",
        "undo_commands",
        "undo",
        "Maak uw laatste wijziging in deze database ongedaan (na bevestiging).",
    ),
    LazyCommand(
        "audit",
        "audit_commands",
        "app",
        "Het auditlog: wie deed wat, wanneer, met welk signaal of welke persoon.",
    ),
    LazyCommand(
        "bewaartermijn",
        "retention_commands",
        "terms_app",
        "Bewaartermijnen per conclusie (vastgesteld door de archivaris van de gemeente).",
    ),
    LazyCommand(
        "persoon",
        "entity_commands",
        "person_app",
        "Personen: alles wat over één persoon bekend is.",
    ),
    LazyCommand(
        "adres", "entity_commands", "address_app", "Adressen: alles wat over één adres bekend is."
    ),
    LazyCommand(
        "organisatie",
        "entity_commands",
        "organisation_app",
        "Organisaties: alles wat over één organisatie bekend is.",
    ),
    LazyCommand(
        "server",
        "server_commands",
        "app",
        "Werken met een gedeelde PostgreSQL-server (zie docs/server.md).",
    ),
    LazyCommand(
        "overzetten",
        "transfer_commands",
        "transfer",
        "Zet een databasebestand over naar een lege database op een server, of maak van een "
        "serverdatabase een nieuw bestand.",
    ),
    LazyCommand(
        "aanvulling",
        "completion_commands",
        "completion_command",
        "Toon of installeer aanvullen met Tab (opdrachten, opties, signaalnummers, gemeenten).",
    ),
)


class LazyCommands(Mapping[str, Command]):
    """Command name -> click command, built on first access and kept.

    The names are known up front (for usage errors, suggestions and completion); looking one up
    builds only that command. Iterating over `.values()` builds them all, which is what a walk
    over the whole tree (tests, generated docs) wants.
    """

    def __init__(self, builders: dict[str, Callable[[], Command]]) -> None:
        self._builders = builders
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            self._built[name] = self._builders[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


class LazyGroup(TyperGroup):
    """A TyperGroup whose commands are built on demand and whose help lists them from their
    help texts alone, without building their parameters."""

    def __init__(
        self,
        *,
        builders: dict[str, Callable[[], Command]] | None = None,
        summaries: dict[str, Command] | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(builders or {})  # type: ignore[assignment]
        # Parameterless stand-ins carrying each command's help, for the list in --help.
        self.summaries: dict[str, Command] = summaries or {}

    def list_commands(self, ctx: Context) -> list[str]:
        """The names in registration order, without building anything."""
        return list(self.commands)

    def add_command(self, cmd: Command, name: str | None = None) -> None:
        raise TypeError("Add commands through cli/command_registry.py.")

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [
            (name, stand_in)
            for name in self.list_commands(ctx)
            if not (stand_in := self._stand_in(ctx, name)).hidden
        ]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        # typer's gettext hook, looked up now: cli/dutch_click.py replaces it at start-up.
        heading = typer.core.__dict__["_"]("Commands")
        with formatter.section(heading):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])

    def _stand_in(self, ctx: Context, name: str) -> Command:
        found = self.summaries.get(name)
        if found is None:
            found = self.get_command(ctx, name)
            assert found is not None
        return found


def _root_builders() -> tuple[dict[str, Callable[[], Command]], dict[str, Command]]:
    builders: dict[str, Callable[[], Command]] = {}
    summaries: dict[str, Command] = {}
    for entry in COMMANDS:
        builders[entry.name] = _loader(entry)
        summaries[entry.name] = TyperCommand(entry.name, help=entry.summary, rich_markup_mode=None)
    return builders, summaries


def _loader(entry: LazyCommand) -> Callable[[], Command]:
    def load() -> Command:
        module = importlib.import_module(f"mhtool.cli.{entry.module}")
        target = getattr(module, entry.attribute)
        if isinstance(target, typer.Typer):
            return typer_group(target, entry.name)
        return build_command(CommandInfo(name=entry.name, callback=target))

    return load


class RootGroup(LazyGroup):
    """The `mhtool` group: its commands come from `COMMANDS`."""

    def __init__(self, **attrs: Any) -> None:
        attrs.pop("commands", None)
        builders, summaries = _root_builders()
        super().__init__(builders=builders, summaries=summaries, **attrs)


def build_command(info: CommandInfo) -> Command:
    """typer's own conversion of one command (the expensive part, done only when used)."""
    return typer.main.get_command_from_info(
        info, pretty_exceptions_short=True, rich_markup_mode=None
    )


def typer_group(group: typer.Typer, name: str) -> LazyGroup:
    """A `typer.Typer` sub-app as a LazyGroup: the same settings typer would give it, its
    commands built one at a time when used."""
    solved = typer.main.solve_typer_info_defaults(TyperInfo(group))
    params, convertors, context_param_name = (
        typer.main.get_params_convertors_ctx_param_name_from_function(solved.callback)
    )
    builders: dict[str, Callable[[], Command]] = {}
    summaries: dict[str, Command] = {}
    for info in group.registered_commands:
        command_name = info.name or typer.main.get_command_name(
            info.callback.__name__  # type: ignore[union-attr]
        )
        builders[command_name] = _command_builder(info)
        summaries[command_name] = _help_stand_in(command_name, info)
    for sub in group.registered_groups:
        assert sub.name and sub.typer_instance, "nested groups need a name"
        builders[sub.name] = _group_builder(sub.typer_instance, sub.name)
    return LazyGroup(
        builders=builders,
        summaries=summaries,
        name=name,
        invoke_without_command=solved.invoke_without_command,
        no_args_is_help=solved.no_args_is_help,
        subcommand_metavar=solved.subcommand_metavar,
        result_callback=solved.result_callback,
        context_settings=solved.context_settings,
        callback=typer.main.get_callback(
            callback=solved.callback,
            params=params,
            convertors=convertors,
            context_param_name=context_param_name,
            pretty_exceptions_short=True,
        ),
        params=params,
        help=solved.help,
        epilog=solved.epilog,
        short_help=solved.short_help,
        options_metavar=solved.options_metavar,
        add_help_option=solved.add_help_option,
        hidden=solved.hidden,
        deprecated=solved.deprecated,
        rich_markup_mode=None,
        rich_help_panel=solved.rich_help_panel,
    )


def _command_builder(info: CommandInfo) -> Callable[[], Command]:
    return lambda: build_command(info)


def _group_builder(group: typer.Typer, name: str) -> Callable[[], Command]:
    return lambda: typer_group(group, name)


def _help_stand_in(name: str, info: CommandInfo) -> Command:
    """A parameterless command with the help typer would give `info` (for the command list)."""
    text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
    return TyperCommand(
        name,
        help=text,
        short_help=info.short_help,
        hidden=info.hidden,
        deprecated=info.deprecated,
        rich_markup_mode=None,
    )


def summary_of(command: Command) -> str:
    """The first sentence of a command's help, as `COMMANDS` must hold it."""
    return make_default_short_help(command.help or "", 10_000)


def all_commands(group: Command, prefix: str = "mhtool") -> Iterator[tuple[str, Command]]:
    """Every command and group under `group` with its full path, built (for tests and docs)."""
    yield prefix, group
    commands = getattr(group, "commands", None)
    if isinstance(commands, Mapping):
        for name in commands:
            yield from all_commands(commands[name], f"{prefix} {name}")
