"""A deterministic demo estate (``anju demo load``, ``anju serve --demo``).

Two projects: 安居·滨江苑 (BJY, under construction: buyers have signed, nobody has moved in) and
安居·翠湖湾 (CHW, handed over in batches so that warranty items of each length are running and some are
about to expire). Staff, a 14-day on-call rota, tickets in varied states (made through the service
rules, so their timelines are real) and a verified ``terminal`` identity so ``anju chat`` talks as
a bound owner.

All phone numbers are fake: owners ``170-0000-xxxx``, staff ``170-0001-xxxx``. Staff have no
password (``password_hash`` empty): nobody can log in until a password is set, e.g. for ``admin``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

demo_owner_external_id = "demo"
DEMO_OWNER_EXTERNAL_ID = demo_owner_external_id
DEMO_CHANNEL = "terminal"
DEMO_ADMIN_USERNAME = "admin"
DEMO_OWNER_PHONE = "17000000001"
DEMO_OWNER_NAME = "陈思远"
DEMO_OWNER_UNIT = ("CHW", "2", "1", "1502")
TZ = ZoneInfo("Asia/Shanghai")
