"""`nlu parse` JSON Lines round trip, and train/eval commands."""

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

from nlu.builtin import BuiltinEngine
from nlu.cli import add_nlu_commands, main, parse_stream

ROOT = Path(__file__).resolve().parents[2]


def test_parse_stream_in_order_with_malformed_line(engine: BuiltinEngine) -> None:
    lines = [
        {"id": 1, "text": "3栋2单元1502 厨房水管爆了"},
        "this is not json",
        {"id": 3, "text": "好的"},
        {"id": 4},
        {"id": "x", "text": "when is the handover date?", "extra": True},
    ]
    stdin = io.StringIO("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines))
    out = io.StringIO()
    failures = parse_stream(engine, stdin, out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert failures == 2 and len(rows) == 5
    assert rows[0]["id"] == 1 and rows[0]["intent"] == "repair" and rows[0]["urgency"] == "emergency"
    assert rows[0]["entities"]["unit"]["room"] == "1502"
    assert "error" in rows[1]
    assert rows[2]["intent"] == "other" and rows[2]["category"] is None
    assert "error" in rows[3] and rows[3]["id"] == 4
    assert rows[4]["id"] == "x" and rows[4]["extra"] is True and rows[4]["lang"] == "en"
    for row in (rows[0], rows[2], rows[4]):
        assert {"intent", "urgency", "category", "lang", "confidence"} <= row.keys()


def test_add_nlu_commands_registers_subcommands(model_dir: Path) -> None:
    parser = argparse.ArgumentParser(prog="anju")
    add_nlu_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["nlu", "eval", "--split", "adversarial", "--model-dir", str(model_dir)])
    assert args.split == "adversarial" and callable(args.func)
    args = parser.parse_args(["nlu", "parse", "--engine", "builtin"])
    assert args.engine == "builtin"


def test_python_m_cli_parse(model_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlu.cli", "parse", "--model-dir", str(model_dir)],
        input='{"id": 7, "text": "电梯卡住了里面有人"}\n{bad\n',
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert rows[0]["id"] == 7 and rows[0]["category"] == "lift" and "error" in rows[1]


def test_train_and_eval_commands(tmp_path: Path, model_dir: Path, capsys) -> None:  # noqa: ANN001
    assert main(["train", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "builtin-" in out and "KiB" in out
    assert main(["eval", "--split", "adversarial", "--model-dir", str(model_dir), "--errors", "0"]) == 0
    assert "intentF1" in capsys.readouterr().out
