"""Entry point of the `exchange` command: errors become one or two lines, never a traceback."""

from __future__ import annotations

import os
import sys

import click

from exchange.cli.alarms_cmds import alarms
from exchange.cli.alerts import alerts
from exchange.cli.audit_cmds import audit
from exchange.cli.common import json_mode, print_error, print_json_error, show_click_error
from exchange.cli.docs_cmds import docs
from exchange.cli.keys_cmds import keys
from exchange.cli.keys_file_cmds import show as _show_cmds  # noqa: F401 (registers commands)
from exchange.cli.keys_node_cmds import node as _node_cmds  # noqa: F401 (registers commands)
from exchange.cli.match_cmds import match
from exchange.cli.node_cmds import init, serve, status
from exchange.cli.peers import peers
from exchange.cli.pii_cmds import pii
from exchange.cli.policy_cmds import policy
from exchange.cli.quarantine_cmds import quarantine
from exchange.errors import Error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="exchange")
def cli() -> None:
    """Regional penitentiary information exchange: one node per country."""


@cli.command()
@click.option("--keep", is_flag=True, help="Leave the region running and print how to use it.")
def demo(keep: bool) -> None:
    """Start the reference region (kz, kg, tj) and tell its story."""
    from exchange.demo import run_demo

    sys.exit(run_demo(keep=keep))


cli.add_command(init)
cli.add_command(serve)
cli.add_command(status)
cli.add_command(peers)
cli.add_command(alerts)
cli.add_command(docs)
cli.add_command(audit)
cli.add_command(policy)
cli.add_command(match)
cli.add_command(keys)
cli.add_command(quarantine)
cli.add_command(alarms)
cli.add_command(pii)


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
