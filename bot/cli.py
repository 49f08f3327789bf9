"""The ``anju`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.settings import get_settings

DESCRIPTION = """Anju (安居): intake bot and ticket backend for a residential developer's customer-relations centre.

Settings come from ANJU_* environment variables, a local .env, then config/anju.toml.
Common commands:
  anju serve --demo        web + worker + scheduler on http://127.0.0.1:8000 with demo data (SQLite)
  anju chat                talk to the bot in this terminal as the demo owner
  anju worker              outbox delivery, inbound processing and sweeps only (scale-out on PostgreSQL)
"""


def _setup_logging(level: str) -> None:
    from bot.logs import configure

    configure(level, get_settings().log_format)


class StartupRefused(Exception):
    """A clear, one-line-per-problem reason not to start (no traceback)."""

    def __init__(self, lines: list[str]) -> None:
        """The lines to print."""
        super().__init__("; ".join(lines))
        self.lines = lines


def _check_start(*, create: bool = False) -> None:
    """Refuse to start on inconsistent channel settings or a database that is not ready."""
    from backend.migrate import DatabaseNotReady, ensure_ready
    from bot.settings import channel_problems

    settings = get_settings()
    problems = channel_problems(settings)
    if problems:
        raise StartupRefused(problems)
    try:
        ensure_ready(settings.database_url, env=settings.env, create=create)
    except DatabaseNotReady as exc:
        raise StartupRefused([str(exc)]) from None


def _admin_db() -> None:
    """Admin commands work on an existing database only (never create one from the wrong directory)."""
    _check_db(create=False)


def _check_db(*, create: bool) -> None:
    from backend.migrate import DatabaseNotReady, ensure_ready

    settings = get_settings()
    try:
        ensure_ready(settings.database_url, env=settings.env, create=create)
    except DatabaseNotReady as exc:
        raise StartupRefused([str(exc)]) from None


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply pending migrations (under the migration lock); creates the database if it is new."""
    from backend.migrate import describe, state, upgrade

    url = get_settings().database_url
    before, rev = state(url)
    if before == "foreign":
        raise StartupRefused([f"refusing to migrate {describe(url)}: it is not an Anju database "
                              f"({'revision ' + rev if rev else 'unknown tables'})"])
    upgrade(url)
    after = state(url)[1]
    print(f"database is up to date ({describe(url)}: {rev or 'new'} -> {after})")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the database's revision and whether it is current; exit 1 when it is not."""
    from backend.migrate import describe, head_revision, state

    url = get_settings().database_url
    st, rev = state(url)
    print(f"{describe(url)}: {st} (revision {rev or '-'}, this release: {head_revision()})")
    return 0 if st == "current" else 1


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check configuration, database, channels and rota coverage; exit 1 on any failure."""
    from bot.health import doctor

    return doctor(get_settings(), online=not args.offline)


def _load_demo() -> str:
    from backend.db import make_engine, session_factory, transaction
    from backend.demo import load_demo

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with transaction(session_factory(engine)) as session:
        summary = load_demo(session, now=datetime.now(UTC))
    engine.dispose()
    return str(summary)


def cmd_demo_load(args: argparse.Namespace) -> int:
    """Load the demo estate into an empty database."""
    _check_db(create=True)
    print(_load_demo())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web app with the embedded worker."""
    import uvicorn

    from bot.app import create_app

    settings = get_settings()
    _check_start(create=args.demo)
    _setup_logging(settings.log_level)
    if args.demo:
        print(_load_demo())
    app = create_app(settings, embedded_worker=not args.no_worker)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"Anju on http://{host}:{port}  (API docs: /docs, console: /console)")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                log_config=None)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a worker process (no web server)."""
    from bot import pg_events
    from bot.app import warm_up
    from bot.services import build_services
    from bot.sweeps import run_all
    from bot.worker import Worker

    settings = get_settings()
    _check_start()
    _setup_logging(settings.log_level)
    if args.nice:
        os.nice(args.nice)  # webhook answers (the web process) go first when CPU is short
    svc = build_services(settings)
    pg_events.attach(svc)  # PostgreSQL: console events reach the web processes
    warm_up(svc)
    worker = Worker(svc, sweeps_enabled=not args.no_sweeps)

    async def run() -> None:
        if args.once:
            handled = await asyncio.to_thread(worker.process_pending, 1000)
            sent = await worker.deliver_due(1000)
            print(f"inbound processed: {handled}, outbox attempted: {sent}, sweeps: {run_all(svc)}")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await worker.start()
        try:
            await stop.wait()  # SIGTERM: finish the sends in flight and record them, then exit
        finally:
            await worker.stop()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal as the demo owner."""
    from bot.terminal_chat import run_chat

    _check_db(create=False)  # the demo database must exist: `anju serve --demo` or `anju demo load` first
    return run_chat(get_settings(), user_id=args.user)


def cmd_staff_add(args: argparse.Namespace) -> int:
    """Create or update a staff account."""
    from bot.staff_cli import add_staff

    _admin_db()
    return add_staff(get_settings(), args)


def cmd_staff_other(args: argparse.Namespace) -> int:
    """``staff list|contact|code|test|passwd|disable``."""
    from bot import staff_cli

    _admin_db()
    return int(getattr(staff_cli, f"cmd_{args.staff_command}")(get_settings(), args))


def build_parser() -> argparse.ArgumentParser:
    """The full command tree."""
    parser = argparse.ArgumentParser(prog="anju", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="web app + worker + scheduler in one process")
    serve.add_argument("--demo", action="store_true", help="load the demo estate into an empty database first")
    serve.add_argument("--host", help="bind address (default from settings: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from settings: 8000)")
    serve.add_argument("--no-worker", action="store_true", help="web only; run `anju worker` processes separately")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="inbound processing, outbox delivery and sweeps (no web server)")
    worker.add_argument("--once", action="store_true", help="drain what is due once and exit")
    worker.add_argument("--no-sweeps", action="store_true", help="leave the sweeps to another worker")
    worker.add_argument("--nice", type=int, default=0, metavar="N",
                        help="lower this process's CPU priority by N when it shares a machine with the web process")
    worker.set_defaults(func=cmd_worker)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal as a homeowner")
    chat.add_argument("--user", default="demo", help="terminal identity (default: the demo owner)")
    chat.set_defaults(func=cmd_chat)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply pending migrations (creates a new database)").set_defaults(
        func=cmd_db_upgrade)
    db.add_parser("current", help="show the database revision; exit 1 unless current").set_defaults(
        func=cmd_db_current)
    backup = db.add_parser("backup", help="SQLite: online backup to FILE (PostgreSQL: pg_dump, see docs/deploy.md)")
    backup.add_argument("target", metavar="FILE")
    backup.set_defaults(func=lambda a: __import__("bot.ops_cli", fromlist=["x"]).cmd_backup(get_settings(), a))

    doctor = sub.add_parser("doctor", help="check configuration, database, channels and rota coverage")
    doctor.add_argument("--offline", action="store_true", help="skip the platform API calls")
    doctor.set_defaults(func=cmd_doctor)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    demo.add_parser("load", help="load the demo estate into an empty database").set_defaults(func=cmd_demo_load)

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="staff_command", required=True)
    add = staff.add_parser("add", help="create or update a staff account")
    add.add_argument("--name", required=True)
    add.add_argument("--username", help="login name (default: the name)")
    add.add_argument("--password", required=True)
    add.add_argument("--role", choices=["agent", "supervisor", "admin", "engineer"],
                     help="role of a new account (default agent); changing an existing account's role needs --update")
    add.add_argument("--language", choices=["zh", "en"])
    add.add_argument("--update", action="store_true",
                     help="allow changing an existing account (name, role, language); never reactivates it")
    add.set_defaults(func=cmd_staff_add)
    from bot.staff_cli import add_staff_commands

    add_staff_commands(staff, cmd_staff_other)

    from bot.ops_cli import add_rota_commands, add_webhook_commands

    add_webhook_commands(sub)
    add_rota_commands(sub, _admin_db)

    from bot.rules_cli import add_rules_commands

    add_rules_commands(sub)

    from bot.channels.cli import add_channel_commands

    add_channel_commands(sub)

    from nlu.cli import add_nlu_commands

    nlu = add_nlu_commands(sub)
    try:
        from nlu.rasa_setup import add_rasa_commands
    except ImportError:  # pragma: no cover - optional module
        pass
    else:
        add_rasa_commands(nlu)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``anju`` console script."""
    from pydantic import ValidationError

    from bot.settings import settings_errors

    args = build_parser().parse_args(argv)
    if args.command != "serve":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except ValidationError as exc:  # settings: one line per problem, never the offending (secret) value
        for line in settings_errors(exc):
            print(f"anju: configuration error: {line}", file=sys.stderr)
        return 2
    except StartupRefused as exc:
        for line in exc.lines:
            print(f"anju: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
