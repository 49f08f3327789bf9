"""The Rasa engine: the HTTP adapter against a fake Rasa server, the setup helpers, and (marked ``rasa``) a
real Rasa server at ``ANJU_TEST_RASA_URL``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from nlu import rasa_setup
from nlu.rasa_engine import (
    RasaEngine,
    RasaLabelError,
    RasaUnavailable,
    detect_lang,
    intent_confidence,
    labels_from_rasa,
    rasa_label,
)
from nlu.types import Parse

LOGGER = "anju.nlu.rasa"


# ----------------------------------------------------------------------------------------- fake server


class FakeRasa:
    """A tiny threaded HTTP server answering Rasa's ``/status`` and ``/model/parse`` shapes."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}  # text -> Rasa intent name
        self.default_label = "other+none+normal"
        self.confidence = 0.93
        self.token: str | None = None  # when set, requests without ?token=<it> get 401
        self.delay_s = 0.0
        self.status_code = 200
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, code: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, body: dict[str, Any] | None) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"method": self.command, "path": url.path, "query": query, "body": body})
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                if fake.token is not None and query.get("token") != fake.token:
                    return self._answer(401, {"status": "failure", "reason": "NotAuthenticated"})
                if fake.status_code != 200:
                    return self._answer(fake.status_code, {"status": "failure", "reason": "boom"})
                if url.path == "/status":
                    return self._answer(200, {"model_file": "fake.tar.gz", "model_id": "x"})
                if url.path == "/model/parse" and body is not None:
                    name = fake.labels.get(body["text"], fake.default_label)
                    return self._answer(
                        200,
                        {
                            "text": body["text"],
                            "intent": {"name": name, "confidence": fake.confidence},
                            "entities": [],
                            "intent_ranking": [{"name": name, "confidence": fake.confidence}],
                        },
                    )
                return self._answer(404, {"status": "failure"})

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._handle(None)

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                self._handle(json.loads(self.rfile.read(length) or b"{}"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def parse_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/model/parse"]

    def __enter__(self) -> FakeRasa:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeBuiltin:
    """A stand-in for the builtin engine."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.warmed = False

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        self.calls.append(text)
        return Parse("repair", "emergency", "water", "zh", 0.8, {"location": "kitchen"}, engine="builtin")

    def warm_up(self) -> None:
        self.warmed = True


@pytest.fixture
def fake() -> Iterator[FakeRasa]:
    with FakeRasa() as server:
        yield server


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# ------------------------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("repair+water+emergency", ("repair", "water", "emergency")),
        ("repair+misc+normal", ("repair", "other", "normal")),
        ("repair+wall_floor_ceiling+high", ("repair", "wall_floor_ceiling", "high")),
        ("complaint+none+high", ("complaint", None, "high")),
        ("complaint+none+emergency", ("complaint", None, "high")),  # a complaint is never an emergency
        ("enquiry+none+normal", ("enquiry", None, "normal")),
        ("enquiry+water+high", ("enquiry", None, "normal")),  # only repairs carry category/urgency
        ("other+none+normal", ("other", None, "normal")),
    ],
)
def test_labels_from_rasa(name: str, expected: tuple[str, str | None, str]) -> None:
    assert labels_from_rasa(name) == expected


@pytest.mark.parametrize("name", ["", "nlu_fallback", "repair+water", "repair+kitchen+normal", "fix+none+normal"])
def test_labels_from_rasa_rejects_foreign_names(name: str) -> None:
    with pytest.raises(RasaLabelError):
        labels_from_rasa(name)


@pytest.mark.parametrize(
    "labels", [("repair", "other", "normal"), ("repair", "gas", "emergency"), ("other", None, "normal")]
)
def test_rasa_label_round_trip(labels: tuple[str, str | None, str]) -> None:
    name = rasa_label(*labels)
    assert "+other+" not in name
    assert labels_from_rasa(name) == labels


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("厨房水管爆了水漫出来了", "zh"),
        ("The kitchen pipe burst", "en"),
        ("我的iPhone充电器插座冒火花", "zh"),
        ("the pipe in 主卧 is leaking badly", "en"),
        ("3-1-802", "zh"),
        ("", "zh"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


# ------------------------------------------------------------------------------------------ adapter


def test_parse_maps_labels_and_sends_token(fake: FakeRasa) -> None:
    fake.token = "s3cret"
    fake.labels = {"厨房水管爆了水漫出来了": "repair+water+emergency", "空调不制冷": "repair+misc+high"}
    with RasaEngine(fake.url, "s3cret", normalize=False) as engine:
        p = engine.parse("厨房水管爆了水漫出来了")
        assert (p.intent, p.category, p.urgency, p.lang, p.engine) == (
            "repair",
            "water",
            "emergency",
            "zh",
            "rasa",
        )
        assert p.confidence == pytest.approx(0.93)
        p2 = engine.parse("空调不制冷")
        assert (p2.intent, p2.category, p2.urgency) == ("repair", "other", "high")
    sent = fake.parse_requests()
    assert [r["query"] for r in sent] == [{"token": "s3cret"}, {"token": "s3cret"}]
    assert sent[0]["method"] == "POST"
    assert sent[0]["body"] == {"text": "厨房水管爆了水漫出来了"}


def test_parse_without_token_sends_none(fake: FakeRasa) -> None:
    fake.default_label = "enquiry+none+normal"
    with RasaEngine(fake.url, None, normalize=False) as engine:
        p = engine.parse("When is the handover date?")
    assert (p.intent, p.category, p.urgency, p.lang) == ("enquiry", None, "normal", "en")
    assert fake.parse_requests()[0]["query"] == {}


def test_parse_normalises_text_like_the_training_export(fake: FakeRasa) -> None:
    normalize = rasa_setup.text_normalizer()
    if normalize is None:
        pytest.skip("nlu.normalize not present")
    with RasaEngine(fake.url, None) as engine:
        engine.parse("廚房水管爆了！！ＡＢＣ")
    assert fake.parse_requests()[0]["body"]["text"] == normalize("廚房水管爆了！！ＡＢＣ")


def test_unknown_rasa_label_is_other_with_zero_confidence(fake: FakeRasa) -> None:
    fake.default_label = "nlu_fallback"
    with RasaEngine(fake.url, None) as engine:
        p = engine.parse("asdf")
    assert (p.intent, p.category, p.urgency, p.confidence, p.engine) == ("other", None, "normal", 0.0, "rasa")


def test_intent_confidence_sums_the_intents_labels() -> None:
    data = {
        "intent": {"name": "repair+water+high", "confidence": 0.5},
        "intent_ranking": [
            {"name": "repair+water+high", "confidence": 0.5},
            {"name": "repair+water+emergency", "confidence": 0.3},
            {"name": "complaint+none+high", "confidence": 0.2},
        ],
    }
    assert intent_confidence(data, "repair") == pytest.approx(0.8)
    assert intent_confidence(data, "complaint") == pytest.approx(0.2)
    assert intent_confidence({"intent": {"name": "other+none+normal", "confidence": 0.7}}, "other") == 0.7


def test_safety_rules_apply_to_rasa_labels(fake: FakeRasa) -> None:
    pytest.importorskip("nlu.safety")
    fake.default_label = "enquiry+none+normal"
    fake.confidence = 0.6
    with RasaEngine(fake.url, None) as engine:
        p = engine.parse("家里燃气味很重")
    assert (p.intent, p.category, p.urgency, p.engine) == ("repair", "gas", "emergency", "rasa")
    assert p.confidence >= 0.95
    with RasaEngine(fake.url, None, use_rules=False) as engine:
        raw = engine.parse("家里燃气味很重")
    assert (raw.intent, raw.category, raw.urgency, raw.confidence) == ("enquiry", None, "normal", 0.6)


def test_entities_come_from_the_builtin_extractor(fake: FakeRasa) -> None:
    pytest.importorskip("nlu.entities")
    fake.default_label = "repair+water+emergency"
    with RasaEngine(fake.url, None) as engine:
        p = engine.parse("3栋2单元1502 厨房水管爆了 电话13912345678")
    assert p.entities.get("unit")
    assert p.entities.get("phones")


def test_empty_text_needs_no_request(fake: FakeRasa) -> None:
    with RasaEngine(fake.url, None) as engine:
        p = engine.parse("  ")
    assert (p.intent, p.urgency, p.category, p.engine) == ("other", "normal", None, "rasa")
    assert fake.parse_requests() == []


def test_timeout_falls_back_and_warns_once(fake: FakeRasa, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    builtin = FakeBuiltin()
    fake.delay_s = 0.5
    with RasaEngine(fake.url, None, timeout_s=0.1, fallback=builtin, retry_after_s=0) as engine:
        results = [engine.parse(f"水管爆了 {i}") for i in range(3)]
        assert all(r.engine == "builtin-fallback" for r in results)
        assert (results[0].intent, results[0].category, results[0].urgency) == (
            "repair",
            "water",
            "emergency",
        )
        assert results[0].entities == {"location": "kitchen"}
        assert builtin.calls == ["水管爆了 0", "水管爆了 1", "水管爆了 2"]
        assert len(fake.parse_requests()) == 3  # retry_after_s=0: Rasa is tried every time
        warnings = _warnings(caplog)
        assert len(warnings) == 1
        assert "timed out" in warnings[0]
        assert engine.available is False

        # It recovers (no new warning), then fails again: exactly one more warning.
        fake.delay_s = 0.0
        assert engine.parse("你好").engine == "rasa"
        assert engine.available is True
        assert len(_warnings(caplog)) == 1
        assert any("recovered" in r.getMessage() for r in caplog.records)
        fake.status_code = 500
        assert engine.parse("你好").engine == "builtin-fallback"
        assert engine.parse("你好").engine == "builtin-fallback"
        warnings = _warnings(caplog)
        assert len(warnings) == 2
        assert "HTTP 500" in warnings[1]


def test_connection_refused_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    builtin = FakeBuiltin()
    with RasaEngine(_closed_port_url(), "t", timeout_s=1.0, fallback=builtin) as engine:
        started = time.monotonic()
        p = engine.parse("燃气味很重")
        assert time.monotonic() - started < 1.0
        assert p.engine == "builtin-fallback"
        assert engine.parse("燃气味很重").engine == "builtin-fallback"
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "unreachable" in warnings[0]


def test_wrong_token_falls_back_with_a_clear_warning(fake: FakeRasa, caplog: pytest.LogCaptureFixture) -> None:
    fake.token = "right"
    with RasaEngine(fake.url, "wrong", fallback=FakeBuiltin()) as engine:
        assert engine.parse("你好").engine == "builtin-fallback"
    assert "ANJU_NLU__RASA_TOKEN" in _warnings(caplog)[0]


def test_retry_after_skips_rasa_while_down(fake: FakeRasa) -> None:
    fake.status_code = 503
    with RasaEngine(fake.url, None, fallback=FakeBuiltin(), retry_after_s=60) as engine:
        for _ in range(5):
            assert engine.parse("电梯困人").engine == "builtin-fallback"
    assert len(fake.parse_requests()) == 1


def test_without_fallback_raises(fake: FakeRasa) -> None:
    fake.status_code = 500
    with RasaEngine(fake.url, None) as engine, pytest.raises(RasaUnavailable, match="HTTP 500"):
        engine.parse("你好")
    with RasaEngine(_closed_port_url(), None) as engine, pytest.raises(RasaUnavailable, match="unreachable"):
        engine.parse("你好")


def test_warm_up(fake: FakeRasa, caplog: pytest.LogCaptureFixture) -> None:
    fake.token = "t"
    builtin = FakeBuiltin()
    with RasaEngine(fake.url, "t", fallback=builtin) as engine:
        assert engine.warm_up() is True
    assert builtin.warmed
    assert [r["path"] for r in fake.requests] == ["/status", "/model/parse"]
    assert all(r["query"] == {"token": "t"} for r in fake.requests)
    with RasaEngine(_closed_port_url(), "t", fallback=builtin) as engine:
        assert engine.warm_up() is False
        assert engine.available is False
        assert engine.parse("你好").engine == "builtin-fallback"
    assert len(_warnings(caplog)) == 1


def test_concurrent_parses_share_one_client(fake: FakeRasa) -> None:
    fake.default_label = "repair+lift+emergency"
    with RasaEngine(fake.url, None) as engine:
        out: list[Parse] = []
        threads = [threading.Thread(target=lambda: out.append(engine.parse("电梯困人"))) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(out) == 8
    assert {(p.intent, p.category, p.urgency) for p in out} == {("repair", "lift", "emergency")}


# ------------------------------------------------------------------------------------------- setup


TRAIN_ZH = """version: "3.1"
nlu:
- intent: repair+water+emergency
  examples: |
    - 厨房水管爆了
    - 厨房水管爆了
    - 见图[图片](看)
- intent: repair+misc+normal
  examples: |
    - 空调不制冷
"""
TRAIN_EN = """version: "3.1"
nlu:
- intent: repair+water+emergency
  examples: |
    - the pipe burst
- intent: other+none+normal
  examples: |
    - hello
"""
TEST = """version: "3.1"
nlu:
- intent: enquiry+none+normal
  examples: |
    - held out example
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "train_zh.yml").write_text(TRAIN_ZH, encoding="utf-8")
    (d / "train_en.yml").write_text(TRAIN_EN, encoding="utf-8")
    (d / "test.yml").write_text(TEST, encoding="utf-8")
    (d / "adversarial.yml").write_text(TEST, encoding="utf-8")
    return d


def test_export_uses_train_splits_only(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_setup, "text_normalizer", lambda: None)
    export = rasa_setup.export_training_data(tmp_path / "out", data_dir=data_dir)
    text = export.path.read_text(encoding="utf-8")
    assert "held out" not in text
    assert export.intents == {"other+none+normal": 1, "repair+misc+normal": 1, "repair+water+emergency": 3}
    assert export.examples == 5
    assert "［图片］(看)" in text  # would otherwise be read as an entity annotation
    assert text.startswith('version: "3.1"\nnlu:\n')
    loaded = rasa_setup.load_examples([export.path])
    assert loaded["repair+water+emergency"] == ["the pipe burst", "厨房水管爆了", "见图［图片］(看)"]


def test_export_digest_tracks_data_and_config(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("language: zh\n", encoding="utf-8")
    first = rasa_setup.export_training_data(tmp_path / "a", data_dir=data_dir, config=config)
    again = rasa_setup.export_training_data(tmp_path / "b", data_dir=data_dir, config=config)
    assert first.digest == again.digest
    config.write_text("language: zh\n# epochs changed\n", encoding="utf-8")
    assert rasa_setup.export_training_data(tmp_path / "c", data_dir=data_dir, config=config).digest != first.digest
    with (data_dir / "train_en.yml").open("a", encoding="utf-8") as f:
        f.write("    - hi there\n")
    config.write_text("language: zh\n", encoding="utf-8")
    assert rasa_setup.export_training_data(tmp_path / "d", data_dir=data_dir, config=config).digest != first.digest


def test_export_without_training_files_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(rasa_setup.RasaSetupError, match="no training files"):
        rasa_setup.export_training_data(tmp_path / "out", data_dir=tmp_path)


def test_train_skips_when_model_for_hash_exists(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_dir = tmp_path / "models"
    export = rasa_setup.export_training_data(tmp_path / "rasa-work" / "data", data_dir=data_dir)
    target = rasa_setup.model_path_for(model_dir, export.digest)
    model_dir.mkdir()
    target.write_bytes(b"model")

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("rasa train must not run")

    monkeypatch.setattr(rasa_setup, "_run", no_run)
    assert rasa_setup.train(tmp_path / "venv", model_dir, data_dir=data_dir) == target
    assert rasa_setup.resolve_model(model_dir) == target  # newest model when the repo data differs


def test_prune_models_keeps_the_newest(tmp_path: Path) -> None:
    for i in range(5):
        path = tmp_path / f"{rasa_setup.MODEL_PREFIX}{i}.tar.gz"
        path.write_bytes(b"m")
        os.utime(path, (1000 + i, 1000 + i))
    removed = rasa_setup.prune_models(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == [f"{rasa_setup.MODEL_PREFIX}{i}.tar.gz" for i in range(3)]
    assert rasa_setup.latest_model(tmp_path) == tmp_path / f"{rasa_setup.MODEL_PREFIX}4.tar.gz"


def test_ensure_venv_skips_install_when_rasa_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_setup, "installed_rasa_version", lambda venv: rasa_setup.RASA_VERSION)
    monkeypatch.setattr(rasa_setup, "_has_jieba", lambda venv: True)
    monkeypatch.setattr(rasa_setup, "_run", lambda *a, **k: pytest.fail("must not install"))
    assert rasa_setup.ensure_venv(tmp_path / "venv") == (tmp_path / "venv").resolve()


def test_missing_python310_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    with pytest.raises(rasa_setup.RasaSetupError, match="pyenv install 3.10.13"):
        rasa_setup.find_python310()


def test_default_paths_are_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANJU_DATA_DIR", "rel-data")
    monkeypatch.chdir(tmp_path)
    assert rasa_setup.default_model_dir() == tmp_path / "rel-data" / "rasa-models"
    assert rasa_setup.default_venv_dir().is_absolute()


def test_serve_command_is_loopback_and_absolute(tmp_path: Path) -> None:
    cmd = rasa_setup.serve_command(tmp_path / "venv", tmp_path / "m.tar.gz", port=5999, token="tok")
    assert cmd[1:3] == ["run", "--enable-api"]
    assert cmd[cmd.index("-i") + 1] == "127.0.0.1"
    assert cmd[cmd.index("-p") + 1] == "5999"
    assert cmd[cmd.index("--auth-token") + 1] == "tok"
    assert Path(cmd[cmd.index("--endpoints") + 1]).is_absolute()
    assert Path(cmd[cmd.index("-m") + 1]).is_absolute()


def test_cli_registration() -> None:
    parser = argparse.ArgumentParser()
    rasa_setup.add_rasa_commands(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(["rasa-setup", "--venv", "v", "--model-dir", "m"])
    assert args.func is rasa_setup._cmd_setup
    assert args.venv.is_absolute() and args.model_dir.is_absolute()
    args = parser.parse_args(["rasa-serve", "--port", "5006", "--token", "x"])
    assert (args.func, args.port, args.token) == (rasa_setup._cmd_serve, 5006, "x")
    assert parser.parse_args(["rasa-serve"]).port == 5005


# ------------------------------------------------------------------------------ real Rasa (optional)


@pytest.mark.rasa
def test_real_rasa_server() -> None:
    url = os.environ.get("ANJU_TEST_RASA_URL")
    if not url:
        pytest.skip("ANJU_TEST_RASA_URL is not set (start one with .ci/rasa-setup.sh)")
    token = os.environ.get("ANJU_TEST_RASA_TOKEN") or None
    cases = [
        ("厨房水管爆了水漫出来了", "repair", "water", "emergency", "zh"),
        ("家里燃气味很重，阀门已经关了", "repair", "gas", None, "zh"),
        ("有人被困在电梯里了，快来人", "repair", "lift", None, "zh"),
        ("请问我们小区什么时候交房？", "enquiry", None, "normal", "zh"),
        ("谢谢，收到了", "other", None, "normal", "zh"),
        ("The kitchen pipe burst and water is everywhere", "repair", None, None, "en"),
        ("When is the handover date for my flat?", "enquiry", None, "normal", "en"),
    ]
    with RasaEngine(url, token, timeout_s=5.0) as engine:
        assert engine.warm_up() is True
        for text, intent, category, urgency, lang in cases:
            p = engine.parse(text)
            assert p.engine == "rasa", text
            assert p.intent == intent, (text, p)
            assert p.lang == lang, (text, p)
            if category is not None:
                assert p.category == category, (text, p)
            if urgency is not None:
                assert p.urgency == urgency, (text, p)
            assert 0.0 < p.confidence <= 1.0
