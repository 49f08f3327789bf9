"""What owners ask about tickets they already have: where it stands (from data) and withdrawing it."""

from __future__ import annotations

from bot.dialogs import keywords
from bot.dialogs.types import CancelTicket, Context, StepResult, TicketView, Turn

CANCELLABLE = frozenset({"received", "triaged", "contacted", "scheduled", "plan_agreed", "in_progress"})


def open_tickets(ctx: Context) -> list[TicketView]:
    """The owner's (or this conversation's) open tickets, emergencies first, then newest first."""
    tickets = [t for t in ctx.tickets if t.is_open]
    return sorted(tickets, key=lambda t: (t.urgency != "emergency", -t.created_at.timestamp(), -t.id))


def answer_status(res: StepResult, ctx: Context) -> bool:
    """Say where the most relevant open ticket stands: page accepted?, who, when. False when there is none."""
    tickets = open_tickets(ctx)
    if not tickets:
        return False
    for t in tickets[:2]:
        when = ""
        if t.appointment_start is not None:
            when = ctx.format_deadline(t.appointment_start)
        if t.page == "sent":
            res.say("status_paging", ticket=t.number)
        elif t.engineer and when:
            res.say("status_engineer_when", ticket=t.number, engineer=t.engineer, when=when,
                    status=f"§status_{t.status}")
        elif t.engineer:
            res.say("status_engineer", ticket=t.number, engineer=t.engineer, status=f"§status_{t.status}")
        elif t.page == "failed":
            res.say("status_page_failed", ticket=t.number)
        else:
            res.say("status_plain", ticket=t.number, status=f"§status_{t.status}")
    return True


def start_cancel(res: StepResult, turn: Turn, ctx: Context, *, only: int | None = None) -> bool:
    """Withdraw the ticket the owner means; ask which when several are open. False when nothing is open."""
    candidates = [t for t in open_tickets(ctx) if t.status in CANCELLABLE and (only is None or t.id == only)]
    if not candidates:
        return False
    reason = turn.text.strip()[:200] or "owner cancelled"
    if len(candidates) == 1:
        cancel(res, candidates[0], reason)
        return True
    res.state.update(flow="cancel", step="which", reason=reason)
    res.say("cancel_which", choices=tuple((f"{t.number} §kind_{t.kind}", f"cancel:{t.id}") for t in candidates[:5]))
    return True


def cancel(res: StepResult, ticket: TicketView, reason: str) -> None:
    """Withdraw ``ticket`` and tell the owner its number."""
    res.effects.append(CancelTicket(ticket.id, reason))
    res.say("ticket_cancelled", ticket=ticket.number)


def handle_cancel(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """The answer to "which one?"; False when the message is something else."""
    reason = str(res.state.get("reason") or "owner cancelled")
    candidates = [t for t in open_tickets(ctx) if t.status in CANCELLABLE]
    picked = [t for t in candidates if turn.button == f"cancel:{t.id}" or (t.number and t.number in turn.text)]
    if not picked and keywords.ALL.search(turn.text):
        picked = candidates
    for key in ("flow", "step", "reason"):
        res.state.pop(key, None)
    if not picked:
        return False
    for t in picked:
        cancel(res, t, reason)
    return True
