"""Install, train and serve the Rasa NLU engine in its own Python 3.10 virtualenv.

Rasa 3.6.21 (the last open-source release) needs Python < 3.11 and pins SQLAlchemy < 1.5, so it can never
share Anju's environment (DEPENDENCIES.md). This module builds a separate venv from pyenv's Python 3.10.13,
exports ``nlu/data/train_*.yml`` into a Rasa training directory, trains ``config/rasa/config.yml`` with
``rasa train nlu`` and serves the model with ``rasa run --enable-api``.

Everything is idempotent and cache-aware: the install is skipped when the venv already has the pinned Rasa,
and training is skipped when a model for the same hash of (training data + config + Rasa version) exists.

Command line (wired by the lead under ``anju nlu``; also ``python -m nlu.rasa_setup``)::

    anju nlu rasa-setup [--venv DIR] [--model-dir DIR] [--force-train]
    anju nlu rasa-serve [--port 5005] [--token TOKEN] [--venv DIR] [--model-dir DIR] [--model FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("anju.nlu.rasa")

RASA_VERSION = "3.6.21"
RASA_REQUIREMENT = f"rasa[jieba]=={RASA_VERSION}"
PYTHON_VERSION = "3.10.13"

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
CONFIG_DIR = REPO_ROOT / "config" / "rasa"
DEFAULT_CONFIG = CONFIG_DIR / "config.yml"
DEFAULT_ENDPOINTS = CONFIG_DIR / "endpoints.yml"
DEFAULT_PORT = 5005
TOKEN_ENV = "ANJU_NLU__RASA_TOKEN"
MODEL_PREFIX = "anju-nlu-"
KEEP_MODELS = 3

# Only these splits are training data; test.yml and adversarial.yml must never reach a model.
HELD_OUT = frozenset({"test.yml", "test_new.yml", "test_registers.yml", "adversarial.yml"})
# Rasa reads `[text](entity)`, `[text]{...}` and `[text][...]` inside examples as entity annotations.
_ENTITY_MARKUP = re.compile(r"\[[^\]]+\](\(|\{|\[)")


class RasaSetupError(RuntimeError):
    """Setup or serving cannot proceed; the message says what to do."""


@dataclass(frozen=True)
class TrainingExport:
    """Where the exported training data lies and what it holds."""

    path: Path
    digest: str
    examples: int
    intents: dict[str, int]


# --------------------------------------------------------------------------------------------- locations


def default_venv_dir() -> Path:
    """The Rasa venv location: ``~/.cache/anju/rasa-venv`` (absolute)."""
    return (Path.home() / ".cache" / "anju" / "rasa-venv").resolve()


def default_model_dir() -> Path:
    """The model directory: ``<ANJU_DATA_DIR or data>/rasa-models``, made absolute against the cwd."""
    data_dir = Path(os.environ.get("ANJU_DATA_DIR") or "data").expanduser()
    return (data_dir / "rasa-models").resolve()


def find_python310() -> Path:
    """Locate pyenv's Python 3.10.13.

    Returns:
        The absolute path of its ``python`` executable.

    Raises:
        RasaSetupError: when neither ``pyenv prefix 3.10.13`` nor ``~/.pyenv/versions/3.10.13`` has it.
    """
    candidates: list[Path] = []
    pyenv = shutil.which("pyenv") or str(Path.home() / ".pyenv" / "bin" / "pyenv")
    if Path(pyenv).exists():
        try:
            out = subprocess.run(
                [pyenv, "prefix", PYTHON_VERSION], capture_output=True, text=True, timeout=30, check=False
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip().splitlines()[0]) / "bin" / "python")
        except (OSError, subprocess.SubprocessError):
            pass
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates.append(pyenv_root / "versions" / PYTHON_VERSION / "bin" / "python")
    for python in candidates:
        if python.exists():
            return python.resolve()
    raise RasaSetupError(
        f"Python {PYTHON_VERSION} not found (tried {', '.join(map(str, candidates))}). Rasa {RASA_VERSION} "
        f"needs Python < 3.11: install it with `pyenv install {PYTHON_VERSION}`."
    )


def _venv_bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def installed_rasa_version(venv: Path) -> str | None:
    """The Rasa version installed in ``venv``, or None when there is none (or no venv).

    Args:
        venv: The virtualenv directory.
    """
    python = _venv_bin(venv, "python")
    if not python.exists():
        return None
    out = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('rasa'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() if out.returncode == 0 else None


def _has_jieba(venv: Path) -> bool:
    python = _venv_bin(venv, "python")
    out = subprocess.run([str(python), "-c", "import jieba"], capture_output=True, check=False)
    return out.returncode == 0


def ensure_venv(venv: Path | None = None) -> Path:
    """Create the Rasa venv and install ``rasa[jieba]==3.6.21`` unless it is already there.

    Args:
        venv: The virtualenv directory (default :func:`default_venv_dir`).

    Returns:
        The absolute venv directory.

    Raises:
        RasaSetupError: when Python 3.10 is missing or pip fails.
    """
    venv = (venv or default_venv_dir()).expanduser().resolve()
    if installed_rasa_version(venv) == RASA_VERSION and _has_jieba(venv):
        log.info("rasa %s already installed in %s: skipping install", RASA_VERSION, venv)
        return venv
    python = _venv_bin(venv, "python")
    if not python.exists():
        base = find_python310()
        log.info("creating venv %s from %s", venv, base)
        venv.parent.mkdir(parents=True, exist_ok=True)
        _run([str(base), "-m", "venv", str(venv)])
    else:
        out = subprocess.run([str(python), "-V"], capture_output=True, text=True, check=False)
        if not out.stdout.startswith("Python 3.10"):
            raise RasaSetupError(f"{venv} is not a Python 3.10 venv ({out.stdout.strip()}); remove it first")
    log.info("installing %s into %s (about 1.5 min and 2.7 GB)", RASA_REQUIREMENT, venv)
    started = time.monotonic()
    _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", RASA_REQUIREMENT])
    version = installed_rasa_version(venv)
    if version != RASA_VERSION:
        raise RasaSetupError(f"pip finished but rasa {RASA_VERSION} is not importable in {venv} ({version})")
    log.info("installed rasa %s in %.0f s", version, time.monotonic() - started)
    return venv


# ------------------------------------------------------------------------------------------ training data


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The training splits ``train_*.yml`` under ``data_dir``, sorted; never test or adversarial.

    Args:
        data_dir: Where the Rasa-format NLU YAML files live.
    """
    return sorted(p for p in data_dir.glob("train_*.yml") if p.name not in HELD_OUT)


def _examples_of(block: object) -> list[str]:
    if isinstance(block, list):
        lines = [str(x) for x in block]
    else:
        lines = []
        for raw in str(block or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("- "):
                raise ValueError(f"example line does not start with '- ': {raw!r}")
            lines.append(line[2:])
    return [" ".join(x.split()) for x in lines if x.strip()]


def text_normalizer() -> Callable[[str], str] | None:
    """``nlu.normalize.normalize`` when the builtin engine's normaliser exists, else None.

    The training export and :class:`nlu.rasa_engine.RasaEngine` apply the same one, so Rasa learns and
    predicts on half-width, simplified, emoji-free, lower-case text like the builtin engine.
    """
    try:
        from nlu.normalize import normalize
    except ImportError:
        return None
    return normalize if callable(normalize) else None


def load_examples(files: Sequence[Path], normalize: Callable[[str], str] | None = None) -> dict[str, list[str]]:
    """Read Rasa NLU YAML files into ``{intent name: [examples]}``, order kept, duplicates dropped.

    Args:
        files: Rasa NLU YAML files (``nlu:`` list of ``intent`` / ``examples`` items).
        normalize: Applied to every example before de-duplication (see :func:`text_normalizer`).

    Raises:
        RasaSetupError: when a file is not in that shape.
    """
    by_intent: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = doc.get("nlu") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise RasaSetupError(f"{path}: no `nlu:` list")
        for item in items:
            if not isinstance(item, dict) or "intent" not in item:
                continue  # synonyms, regexes, lookups: not used by our pipeline
            name = str(item["intent"]).strip()
            try:
                examples = _examples_of(item.get("examples"))
            except ValueError as exc:
                raise RasaSetupError(f"{path}: intent {name}: {exc}") from exc
            bucket = by_intent.setdefault(name, [])
            for raw in examples:
                text = " ".join(normalize(raw).split()) if normalize else raw
                if text and (name, text) not in seen:
                    seen.add((name, text))
                    bucket.append(text)
    return {k: v for k, v in by_intent.items() if v}


def _quote_example(text: str) -> str:
    # Inside a literal block nothing needs escaping; only entity markup would be misread, so defuse it by
    # turning the square brackets full-width (the builtin engine normalises those the same way).
    if _ENTITY_MARKUP.search(text):
        text = text.replace("[", "［").replace("]", "］")
    return text


def render_rasa_yaml(by_intent: dict[str, list[str]]) -> str:
    """Render ``{intent: examples}`` as Rasa 3 NLU YAML (``version: "3.1"``), deterministic.

    Args:
        by_intent: Intent name to examples.
    """
    out = ['version: "3.1"', "nlu:"]
    for name in sorted(by_intent):
        out.append(f"- intent: {name}")
        out.append("  examples: |")
        out.extend(f"    - {_quote_example(t)}" for t in by_intent[name])
    return "\n".join(out) + "\n"


def export_training_data(
    out_dir: Path, data_dir: Path = DATA_DIR, config: Path = DEFAULT_CONFIG, write: bool = True
) -> TrainingExport:
    """Write ``out_dir/nlu.yml`` from our training splits and hash it together with the pipeline config.

    Args:
        out_dir: The Rasa training directory (created).
        data_dir: Where ``train_*.yml`` live.
        config: The Rasa pipeline config, part of the hash.
        write: False only computes the digest (nothing is written).

    Returns:
        The export, with a digest that changes when the data, the config or the Rasa pin changes.

    Raises:
        RasaSetupError: when there are no training files or no examples.
    """
    files = training_files(data_dir)
    if not files:
        raise RasaSetupError(f"no training files {data_dir}/train_*.yml")
    by_intent = load_examples(files, text_normalizer())
    if not by_intent:
        raise RasaSetupError(f"no intent examples in {', '.join(map(str, files))}")
    text = render_rasa_yaml(by_intent)
    path = out_dir / "nlu.yml"
    if write and (not path.exists() or path.read_text(encoding="utf-8") != text):
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    h = hashlib.sha256()
    for part in (RASA_VERSION.encode(), text.encode("utf-8"), config.read_bytes()):
        h.update(hashlib.sha256(part).digest())
    counts = {k: len(v) for k, v in sorted(by_intent.items())}
    return TrainingExport(path=path, digest=h.hexdigest(), examples=sum(counts.values()), intents=counts)


# ------------------------------------------------------------------------------------------------ train


def model_path_for(model_dir: Path, digest: str) -> Path:
    """The model file that training data + config with ``digest`` produce."""
    return model_dir / f"{MODEL_PREFIX}{digest[:16]}.tar.gz"


def latest_model(model_dir: Path) -> Path | None:
    """The newest ``anju-nlu-*.tar.gz`` in ``model_dir``, or None."""
    models = sorted(model_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def rasa_env(work_dir: Path | None = None) -> dict[str, str]:
    """The environment for every Rasa subprocess: telemetry off, caches under ``work_dir``."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONUNBUFFERED", "1")
    if work_dir is not None:
        env["RASA_CACHE_DIRECTORY"] = str(work_dir / "cache")
    return env


def train(
    venv: Path,
    model_dir: Path,
    data_dir: Path = DATA_DIR,
    config: Path = DEFAULT_CONFIG,
    force: bool = False,
) -> Path:
    """Train the NLU model unless one for the same data + config hash already exists.

    Args:
        venv: The Rasa venv.
        model_dir: Where models are written (``anju-nlu-<hash>.tar.gz``).
        data_dir: Where ``train_*.yml`` live.
        config: The Rasa pipeline config.
        force: Train even when a model with the same hash exists.

    Returns:
        The absolute model path.

    Raises:
        RasaSetupError: when ``rasa train nlu`` fails.
    """
    model_dir = model_dir.expanduser().resolve()
    work_dir = model_dir.parent / "rasa-work"
    export = export_training_data(work_dir / "data", data_dir=data_dir, config=config.resolve())
    target = model_path_for(model_dir, export.digest)
    log.info("training data: %d examples in %d labels (%s)", export.examples, len(export.intents), export.path)
    if target.exists() and not force:
        log.info("model for this data + config already exists: %s (skipping training)", target)
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(_venv_bin(venv, "rasa")),
        "train",
        "nlu",
        "--config",
        str(config.resolve()),
        "--nlu",
        str(export.path),
        "--out",
        str(model_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    log.info("running: %s", " ".join(cmd))
    started = time.monotonic()
    _run(cmd, cwd=work_dir, env=rasa_env(work_dir))
    elapsed = time.monotonic() - started
    if not target.exists():
        raise RasaSetupError(f"rasa train nlu finished but {target} is missing")
    (model_dir / "latest.txt").write_text(f"{target.name}\n", encoding="utf-8")
    log.info("trained %s in %.0f s", target, elapsed)
    prune_models(model_dir, keep=KEEP_MODELS)
    return target


def prune_models(model_dir: Path, keep: int = 3) -> list[Path]:
    """Delete all but the ``keep`` newest ``anju-nlu-*.tar.gz`` (each is ~50-70 MB).

    Args:
        model_dir: The model directory.
        keep: How many of the newest models to keep.

    Returns:
        The deleted files.
    """
    models = sorted(model_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    doomed = models[max(keep, 1) :]
    for path in doomed:
        path.unlink(missing_ok=True)
        log.info("removed old model %s", path.name)
    return doomed


def setup(
    venv: Path | None = None,
    model_dir: Path | None = None,
    data_dir: Path = DATA_DIR,
    config: Path = DEFAULT_CONFIG,
    force_train: bool = False,
) -> Path:
    """Install Rasa if needed and train the model if needed.

    Args:
        venv: The Rasa venv (default ``~/.cache/anju/rasa-venv``).
        model_dir: The model directory (default ``<ANJU_DATA_DIR or data>/rasa-models``).
        data_dir: Where ``train_*.yml`` live.
        config: The Rasa pipeline config.
        force_train: Retrain even when a model with the same hash exists.

    Returns:
        The absolute path of the model to serve.
    """
    venv = ensure_venv(venv)
    return train(venv, model_dir or default_model_dir(), data_dir, config, force=force_train)


# ------------------------------------------------------------------------------------------------ serve


def serve_command(
    venv: Path, model: Path, port: int = DEFAULT_PORT, token: str | None = None, host: str = "127.0.0.1"
) -> list[str]:
    """The ``rasa run`` command line that serves ``model`` with the HTTP API on ``host:port``.

    Args:
        venv: The Rasa venv.
        model: The model file (absolute).
        port: TCP port.
        token: The auth token every API call must carry as ``?token=``; None serves without auth.
        host: Interface to bind (loopback by default).
    """
    cmd = [
        str(_venv_bin(venv, "rasa")),
        "run",
        "--enable-api",
        "-m",
        str(model.resolve()),
        "-i",
        host,
        "-p",
        str(port),
        "--endpoints",
        str(DEFAULT_ENDPOINTS.resolve()),
    ]
    if token:
        cmd += ["--auth-token", token]
    return cmd


def resolve_model(model_dir: Path, model: Path | None = None) -> Path:
    """The model to serve: ``model`` if given, else the one for the current data + config, else the newest.

    Raises:
        RasaSetupError: when there is none (run ``rasa-setup`` first).
    """
    if model is not None:
        model = model.expanduser().resolve()
        if not model.exists():
            raise RasaSetupError(f"model {model} does not exist")
        return model
    model_dir = model_dir.expanduser().resolve()
    newest = latest_model(model_dir) if model_dir.is_dir() else None
    if newest is None:
        raise RasaSetupError(f"no model in {model_dir}: run `anju nlu rasa-setup` first")
    try:
        export = export_training_data(model_dir.parent / "rasa-work" / "data", write=False)
    except RasaSetupError:
        return newest
    current = model_path_for(model_dir, export.digest)
    if current.exists():
        return current
    log.warning("no model for the current training data + config (run rasa-setup); serving %s", newest.name)
    return newest


def serve(
    venv: Path | None = None,
    model_dir: Path | None = None,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    model: Path | None = None,
) -> None:
    """Run the Rasa server in the foreground, replacing this process (signals reach Rasa directly).

    Args:
        venv: The Rasa venv (default ``~/.cache/anju/rasa-venv``).
        model_dir: The model directory (default ``<ANJU_DATA_DIR or data>/rasa-models``).
        port: TCP port on 127.0.0.1.
        token: Auth token (default ``$ANJU_NLU__RASA_TOKEN``); without one the API is open to localhost.
        model: A specific model file instead of the current one.

    Raises:
        RasaSetupError: when the venv or the model is missing.
    """
    venv = (venv or default_venv_dir()).expanduser().resolve()
    if not _venv_bin(venv, "rasa").exists():
        raise RasaSetupError(f"no Rasa in {venv}: run `anju nlu rasa-setup` first")
    chosen = resolve_model(model_dir or default_model_dir(), model)
    token = token or os.environ.get(TOKEN_ENV) or None
    if not token:
        log.warning("serving Rasa without an auth token (set %s or pass --token)", TOKEN_ENV)
    work_dir = chosen.parent.parent / "rasa-work"
    work_dir.mkdir(parents=True, exist_ok=True)
    cmd = serve_command(venv, chosen, port, token)
    shown = [("***" if token and part == token else part) for part in cmd]
    log.info("serving %s on 127.0.0.1:%d: %s", chosen.name, port, " ".join(shown))
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(work_dir)
    os.execve(cmd[0], cmd, rasa_env(work_dir))


# --------------------------------------------------------------------------------------------------- CLI


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, check=False)
    except OSError as exc:
        raise RasaSetupError(f"cannot run {cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise RasaSetupError(f"command failed with exit code {proc.returncode}: {' '.join(cmd)}")


def _path(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _verbose() -> None:
    # `anju` configures logging at WARNING for non-serve commands; setup progress is worth showing.
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _cmd_setup(args: argparse.Namespace) -> int:
    _verbose()
    started = time.monotonic()
    try:
        model = setup(args.venv, args.model_dir, args.data_dir, args.config, force_train=args.force_train)
    except RasaSetupError as exc:
        log.error("%s", exc)
        return 1
    log.info("rasa-setup done in %.0f s; model %s", time.monotonic() - started, model)
    print(model)  # noqa: T201 - the one line a script captures
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    _verbose()
    try:
        serve(args.venv, args.model_dir, port=args.port, token=args.token, model=args.model)
    except RasaSetupError as exc:
        log.error("%s", exc)
        return 1
    return 0  # not reached: serve() execs rasa


def add_rasa_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``rasa-setup`` and ``rasa-serve`` on an argparse subparsers object.

    Each subcommand sets ``func`` to a callable taking the parsed ``argparse.Namespace`` and returning an
    exit code (1 with a logged error when setup or serving cannot proceed).

    Args:
        subparsers: The result of ``parser.add_subparsers()`` (e.g. the ``anju nlu`` one).
    """
    p = subparsers.add_parser(
        "rasa-setup",
        help="install Rasa 3.6 in its own Python 3.10 venv and train the NLU model (cached)",
        description="Create the Rasa venv (skipped when rasa 3.6.21 is there), export nlu/data/train_*.yml "
        "and run `rasa train nlu` (skipped when a model for the same data + config exists).",
    )
    p.add_argument("--venv", type=_path, default=None, help="Rasa venv (default ~/.cache/anju/rasa-venv)")
    p.add_argument(
        "--model-dir",
        type=_path,
        default=None,
        help="model dir (default <ANJU_DATA_DIR or data>/rasa-models)",
    )
    p.add_argument("--force-train", action="store_true", help="retrain even when the model is cached")
    p.add_argument("--data-dir", type=_path, default=DATA_DIR, help="where train_*.yml live (default nlu/data)")
    p.add_argument("--config", type=_path, default=DEFAULT_CONFIG, help="Rasa pipeline config")
    p.set_defaults(func=_cmd_setup)

    s = subparsers.add_parser(
        "rasa-serve",
        help="serve the trained Rasa model on 127.0.0.1 (foreground)",
        description="Run `rasa run --enable-api` on the current model, bound to 127.0.0.1.",
    )
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (default 5005)")
    s.add_argument("--token", default=None, help=f"auth token (default ${TOKEN_ENV})")
    s.add_argument("--venv", type=_path, default=None, help="Rasa venv (default ~/.cache/anju/rasa-venv)")
    s.add_argument(
        "--model-dir",
        type=_path,
        default=None,
        help="model dir (default <ANJU_DATA_DIR or data>/rasa-models)",
    )
    s.add_argument("--model", type=_path, default=None, help="serve this model file instead")
    s.set_defaults(func=_cmd_serve)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m nlu.rasa_setup rasa-setup|rasa-serve ...``.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m nlu.rasa_setup", description=__doc__.splitlines()[0])
    add_rasa_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
