"""Entry point of the `exchange` command: errors become one or two lines, never a traceback."""

from __future__ import annotations

import importlib
import os
import sys

import click

from exchange.cli.common import json_mode, print_error, print_json_error, show_click_error
from exchange.errors import Error

# Each command's module is imported only when that command runs (or help lists it): the CLI
# starts in a fraction of the time it takes to import every command's dependencies.
COMMANDS: dict[str, tuple[str, ...]] = {
    "init": ("exchange.cli.node_cmds",),
    "serve": ("exchange.cli.node_cmds",),
    "status": ("exchange.cli.node_cmds",),
    "peers": ("exchange.cli.peers",),
    "alerts": ("exchange.cli.alerts",),
    "docs": ("exchange.cli.docs_cmds",),
    "audit": ("exchange.cli.audit_cmds",),
    "policy": ("exchange.cli.policy_cmds",),
    "match": ("exchange.cli.match_cmds",),
    # keys_file_cmds and keys_node_cmds add their commands to the keys group
    "keys": (
        "exchange.cli.keys_cmds",
        "exchange.cli.keys_file_cmds",
        "exchange.cli.keys_node_cmds",
    ),
    "quarantine": ("exchange.cli.quarantine_cmds",),
    "alarms": ("exchange.cli.alarms_cmds",),
    "pii": ("exchange.cli.pii_cmds",),
    "records": ("exchange.cli.records_cmds",),
    "users": ("exchange.cli.users_cmds",),
    "backup": ("exchange.cli.backup_cmds",),
    "restore": ("exchange.cli.backup_cmds",),
    "web": ("exchange.cli.web_cmds",),
}


class LazyGroup(click.Group):
    """The top-level group: subcommands from COMMANDS, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        modules = [importlib.import_module(m) for m in COMMANDS[cmd_name]]
        command = getattr(modules[0], cmd_name)
        assert isinstance(command, click.Command)
        self.add_command(command, cmd_name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="exchange")
def cli() -> None:
    """Regional penitentiary information exchange: one node per country."""


@cli.command()
@click.option("--keep", is_flag=True, help="Leave the region running and print how to use it.")
def demo(keep: bool) -> None:
    """Start the reference region (kz, kg, tj) and tell its story."""
    from exchange.demo import run_demo

    sys.exit(run_demo(keep=keep))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as exc:
        show_click_error(exc)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except Error as exc:
        print_error(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: one line, never a traceback (the text may hold data)
        if os.environ.get("EXCHANGE_DEBUG"):
            raise
        message = f"unexpected {type(exc).__name__}; this is a bug in exchange"
        hint = "run the command again with EXCHANGE_DEBUG=1 to see where, and report it"
        if json_mode():
            print_json_error(message, hint)
        else:
            click.echo(f"error: {message}. {hint[0].upper()}{hint[1:]}", err=True)
        sys.exit(2)
