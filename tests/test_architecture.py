"""The shape of the code: layers call down only, and the wiring is explicit.

- ``backend`` and ``nlu`` import nothing from ``bot`` (what they need, a page text or a renderer, is passed in);
- ``tests`` never import ``benchmarks`` (benchmarks may use the test fakes and helpers, not the reverse);
- the one list of sweeps (:data:`bot.sweeps.SWEEPS`) is complete without importing the web app.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module a file imports, at any depth (function-level imports and ``__import__`` included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"__import__", "import_module"} and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.lineno, node.args[0].value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.lineno, node.args[0].value


# The benchmark scripts' own unit tests (``/proc`` parsing, probes) are the one place tests import benchmarks.
EXEMPT = {("tests", "benchmarks"): ROOT / "tests" / "benchmarks"}


def violations(package: str, forbidden: str) -> list[str]:
    """``file:line module`` for each import of ``forbidden`` (or a submodule) under ``package``."""
    found = []
    exempt = EXEMPT.get((package, forbidden))
    for path in sorted((ROOT / package).rglob("*.py")):
        if exempt is not None and exempt in path.parents:
            continue
        for line, module in imported_modules(path):
            if module == forbidden or module.startswith(forbidden + "."):
                found.append(f"{path.relative_to(ROOT)}:{line} {module}")
    return found


@pytest.mark.parametrize(("package", "forbidden"), [("backend", "bot"), ("nlu", "bot"), ("tests", "benchmarks")])
def test_layers_call_down_only(package: str, forbidden: str) -> None:
    assert violations(package, forbidden) == []


def test_the_scan_sees_nested_and_dynamic_imports(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from bot.dialogs import texts\n    __import__('bot.app')\n"
                   "import importlib\nimportlib.import_module('bot.services')\n", encoding="utf-8")
    assert {m for _line, m in imported_modules(src)} == {"bot.dialogs", "bot.app", "importlib", "bot.services"}


EXPECTED_SWEEPS = {
    "escalate_pages", "publish_progress", "maintenance_campaigns", "grant_warranty", "warranty_reminders",
    "surveys_due", "survey_alerts", "progress_missing", "handoff_pickup", "confirmations_due",
    "engineer_contact_alerts", "visit_reminders", "missed_visit_alerts", "handover_reminders", "signing_surveys",
    "rota_coverage", "import_jobs",
}


def test_worker_gets_every_sweep_without_the_web_app() -> None:
    code = ("import sys\nfrom bot import sweeps\n"
            "assert 'bot.app' not in sys.modules, 'bot.sweeps must not need the web app'\n"
            "print(','.join(sweeps.SWEEPS))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert set(out.stdout.strip().split(",")) == EXPECTED_SWEEPS


def test_one_list_feeds_the_scheduler_and_run_all() -> None:
    from bot import sweeps

    assert set(sweeps.SWEEPS) == EXPECTED_SWEEPS
    assert all(interval > 0 and callable(fn) for interval, fn in sweeps.SWEEPS.values())
    assert not hasattr(sweeps, "register"), "sweeps are listed, not registered at import time"


def test_every_api_route_declares_what_it_returns() -> None:
    """Each API answer is a named model in the OpenAPI schema (or a declared non-JSON type: CSV, SVG)."""
    from fastapi import FastAPI

    from bot.api import api_router

    app = FastAPI()
    app.include_router(api_router)
    untyped = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            code, ok = next((k, v) for k, v in op["responses"].items() if k.startswith("2"))
            if code == "204":
                continue  # No Content: nothing to declare
            content = ok.get("content", {})
            schema = content.get("application/json", {}).get("schema")
            named = schema is not None and "$ref" in (schema.get("items") or schema)
            if not named and (schema is not None or not content):
                untyped.append(f"{method} {path}")
    assert len(app.openapi()["paths"]) > 15
    assert untyped == []


def test_documents_cited_in_the_code_are_in_the_repository() -> None:
    import re

    cited: dict[str, str] = {}
    for folder in ("bot", "backend", "nlu", "config", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".yml", ".toml"} and path.is_file():
                for name in re.findall(r"\bdocs/[\w.-]+\.md\b", path.read_text(encoding="utf-8")):
                    cited.setdefault(name, str(path.relative_to(ROOT)))
    assert {"docs/domain.md", "docs/labels.md", "docs/protocols.md"} <= set(cited)
    assert [f"{name} (cited in {where})" for name, where in cited.items() if not (ROOT / name).is_file()] == []
