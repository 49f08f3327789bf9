"""``anju nlu parse|train|eval`` (argparse), also runnable as ``python -m nlu.cli ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from nlu import get_engine
from nlu.data_io import load_examples, split_paths
from nlu.evaluate import evaluate, format_report


def _default_model_dir() -> Path:
    return Path(os.environ.get("ANJU_DATA_DIR", "data")) / "nlu"


def _engine(args: argparse.Namespace) -> Any:
    name = getattr(args, "engine", "builtin")
    if name == "builtin":
        return get_engine(name, model_dir=args.model_dir)
    fallback = get_engine("builtin", model_dir=args.model_dir)
    return get_engine(name, url=args.rasa_url, token=args.rasa_token or None, fallback=fallback)


def parse_stream(engine: Any, stdin: TextIO, stdout: TextIO) -> int:
    """Parse JSON Lines ``{"id", "text"}`` from ``stdin`` into ``stdout``, one output line per input line.

    Each output is the input object plus ``intent``, ``urgency``, ``category``, ``lang``, ``confidence`` and
    ``entities``; a line that is not a JSON object with a string ``text`` gets an ``error`` field instead.

    Returns:
        The number of lines that failed.
    """
    failures = 0
    for line in stdin:
        if not line.strip():
            continue
        out: dict[str, Any]
        obj: Any = None
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError('expected a JSON object with a string "text"')
            p = engine.parse(obj["text"])
            out = {**obj, "intent": p.intent, "urgency": p.urgency, "category": p.category, "lang": p.lang,
                   "confidence": p.confidence, "entities": p.entities}
        except Exception as exc:  # one bad line must not stop the stream
            failures += 1
            out = {"error": f"{type(exc).__name__}: {exc}", "line": line.rstrip("\n")[:500]}
            if isinstance(obj, dict) and "id" in obj:
                out["id"] = obj["id"]
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return failures


def cmd_parse(args: argparse.Namespace) -> int:
    """Handler of ``nlu parse``."""
    engine = _engine(args)
    engine.warm_up()
    parse_stream(engine, sys.stdin, sys.stdout)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Handler of ``nlu train``: prints the artifact path, size and training time."""
    from nlu.model import train

    out = args.out or args.model_dir
    started = time.perf_counter()
    path = train(args.data, Path(out))
    took = time.perf_counter() - started
    print(f"{path}\t{path.stat().st_size / 1024:.0f} KiB\t{took:.1f} s")  # noqa: T201
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Handler of ``nlu eval``: prints the evaluation report for a split."""
    engine = _engine(args)
    engine.warm_up()
    report = evaluate(engine, load_examples(split_paths(args.split)))
    if args.json:
        if not args.errors:
            report.pop("errors", None)
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))  # noqa: T201
    else:
        print(format_report(report, show_errors=args.errors))  # noqa: T201
    return 0


def add_nlu_commands(subparsers: argparse._SubParsersAction[Any]) -> argparse._SubParsersAction[Any]:
    """Register ``nlu parse|train|eval`` on an argparse subparsers object.

    Each sub-command sets ``args.func(args) -> int``. Returns the ``nlu`` sub-command's own subparsers,
    so other modules can add theirs (``rasa-setup``...).
    """
    nlu = subparsers.add_parser("nlu", help="natural-language understanding tools")
    sub: argparse._SubParsersAction[Any] = nlu.add_subparsers(dest="nlu_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model-dir", type=Path, default=_default_model_dir(),
                       help="builtin model artifacts (default $ANJU_DATA_DIR/nlu)")
        p.add_argument("--rasa-url", default=os.environ.get("ANJU_NLU__RASA_URL", "http://127.0.0.1:5005"))
        p.add_argument("--rasa-token", default=os.environ.get("ANJU_NLU__RASA_TOKEN", ""))

    p = sub.add_parser("parse", help="JSON Lines {id, text} on stdin -> labelled JSON Lines on stdout")
    common(p)
    p.add_argument("--engine", default="builtin", choices=["builtin", "rasa"])
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("train", help="train the builtin model into a versioned artifact")
    common(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: --model-dir)")
    p.add_argument("--data", type=Path, default=None, help="training data folder (default: nlu/data)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="evaluate an engine on a labelled split")
    common(p)
    p.add_argument("--engine", default="builtin", choices=["builtin", "rasa"])
    p.add_argument("--split", default="test",
                   help="test, test_new, test_registers, test_full, adversarial, or a path to a YAML file")
    p.add_argument("--errors", type=int, default=20, help="how many errors to list")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_eval)
    return sub


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: ``python -m nlu.cli nlu parse`` or ``python -m nlu.cli parse``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] != "nlu":
        argv.insert(0, "nlu")
    parser = argparse.ArgumentParser(prog="nlu")
    add_nlu_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
