"""The stored dialog state: typed, versioned, migrated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from backend.migrate import alembic_config
from bot.dialogs.state import VERSION, DialogState, normalise


def test_a_version_0_row_reads_and_is_written_as_the_current_version() -> None:
    legacy = {"lang": "en", "noticed": True, "flow": "intake", "step": "appointment",
              "slots": {"description": "tap leaks"}, "choices": ["any"]}
    state = DialogState.from_json(legacy)
    assert (state.lang, state.flow, state.step, state.slots["description"]) == ("en", "intake", "appointment",
                                                                                  "tap leaks")
    assert normalise(legacy) == {"v": VERSION, **legacy}


def test_unknown_keys_wrong_types_and_unknown_flows_are_dropped() -> None:
    state = DialogState.from_json({"flow": "teleport", "step": "x", "tries": "three", "ticket_id": 5, "junk": 1})
    assert state.flow is None and state.step is None and state.tries == 0 and state.ticket_id == 5
    assert "junk" not in state.to_json()


def test_migration_0004_stamps_existing_states(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0003")
    engine = sa.create_engine(url)
    now = datetime(2026, 11, 24, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO channel_identities (id, channel, external_id, created_at) "
                          "VALUES (1, 'wechat', 'o1', :now)"), {"now": now})
        c.execute(sa.text("INSERT INTO conversations (id, identity_id, mode, urgency, state, created_at, "
                          "last_message_at) VALUES (1, 1, 'bot', 'normal', :state, :now, :now)"),
                  {"state": '{"lang": "en", "flow": "emergency", "ticket_id": "$created"}', "now": now})
    command.upgrade(cfg, "0004_conv")
    with engine.begin() as c:
        stored = c.execute(sa.text("SELECT state FROM conversations WHERE id = 1")).scalar_one()
    assert sa.JSON().result_processor(engine.dialect, None)(stored) == {"lang": "en", "flow": "emergency",
                                                                         "v": 1}
    command.downgrade(cfg, "0003")
    engine.dispose()
