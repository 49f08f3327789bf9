/* Anju staff console: live refresh over server-sent events, alerts, SLA countdowns, canned replies.
   Plain JS, no build step. Fragments come from the server already escaped. */
(function () {
  "use strict";
  var body = document.body;
  var page = body.dataset.page;
  if (page === "login" || page === "error") { return; }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  var issued = 0, applied = 0;  /* responses can arrive out of order: never paint an older one over a newer */
  function refresh(el) {
    if (!el || !el.dataset.src) { return; }
    var seq = ++issued;
    fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html-fragment" } })
      .then(function (r) { if (r.status === 401) { location.reload(); } return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || seq < applied) { return; }
        applied = seq;
        var list = el.querySelector(".thread");
        var atBottom = list ? list.scrollTop + list.clientHeight >= list.scrollHeight - 30 : true;
        el.innerHTML = html;
        var fresh = el.querySelector(".thread");
        if (fresh && atBottom) { fresh.scrollTop = fresh.scrollHeight; }
        tick();
      });
  }

  var inbox = document.getElementById("inbox");
  var thread = document.getElementById("thread");
  var convId = body.dataset.conversation ? parseInt(body.dataset.conversation, 10) : null;
  var refreshInbox = debounce(function () { refresh(inbox); }, 60);
  var refreshThread = debounce(function () { refresh(thread); }, 60);

  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (offset) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = 880; osc.type = "square"; gain.gain.value = 0.08;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + offset); osc.stop(audio.currentTime + offset + 0.2);
      });
    } catch (e) { /* no audio device: the banner is still shown */ }
  }

  /* Alerts stack: one banner each, coloured by kind, newest on top; an emergency stays until it is clicked
     or dismissed, other kinds never replace it. The routine "tickets changed" notice is a quiet info bar. */
  var stack = document.getElementById("alert-stack");
  var MAX_ALERTS = 8;
  function pushAlert(kind, text, href, loud) {
    if (!stack) { return; }
    var key = kind + "|" + text;
    var same = stack.querySelector('[data-key="' + key.replace(/"/g, "") + '"]');
    if (same) { stack.removeChild(same); }
    var item = document.createElement("div");
    item.className = "banner alert-" + kind;
    item.dataset.key = key.replace(/"/g, "");
    item.dataset.kind = kind;
    var link = document.createElement(href ? "a" : "span");
    link.textContent = text;
    if (href) { link.href = href; }
    var close = document.createElement("button");
    close.type = "button"; close.className = "link dismiss"; close.textContent = "×";
    close.setAttribute("aria-label", body.dataset.tDismiss || "dismiss");
    close.onclick = function () { stack.removeChild(item); };
    item.appendChild(link); item.appendChild(close);
    stack.insertBefore(item, stack.firstChild);
    /* trim the oldest non-emergency banners first */
    var items = stack.querySelectorAll(".banner");
    for (var i = items.length - 1; i >= 0 && stack.children.length > MAX_ALERTS; i--) {
      if (items[i].dataset.kind !== "emergency") { stack.removeChild(items[i]); }
    }
    if (loud) { beep(); }
    return item;
  }

  function onEvent(ev) {
    var href = ev.conversation_id ? "/console/conversations/" + ev.conversation_id
      : (ev.ticket ? "/console/tickets/" + encodeURIComponent(ev.ticket) : null);
    if (ev.type === "alert") {
      var known = { emergency: body.dataset.tEmergency, pickup_timeout: body.dataset.tPickup };
      var text = known[ev.kind] || (body.dataset.tAlert + " (" + String(ev.kind || "") + ")");
      pushAlert(String(ev.kind || "other").replace(/[^a-z_]/g, ""),
        text + (ev.ticket ? " " + ev.ticket : "") + (ev.conversation_id ? " #" + ev.conversation_id : ""),
        href, ev.kind === "emergency" || ev.kind === "pickup_timeout");
    } else if (ev.type === "handoff" && /^complaint_/.test(ev.reason || "")) {
      pushAlert("escalated", body.dataset.tEscalated + " #" + ev.conversation_id, href, true);
    }
    if (page === "tickets" && ev.type === "ticket") {
      var info = stack && stack.querySelector(".alert-tickets");
      if (!info) {
        info = pushAlert("tickets", body.dataset.tTickets, null, false);
        if (info) { info.onclick = function () { location.reload(); }; }
      }
    }
    if (ev.type === "takeover" && ev.conversation_id === convId && String(ev.previous) === body.dataset.me) {
      /* a colleague took it from me: say so, keep my draft, disable Send */
      var lost = document.getElementById("lost-banner");
      if (lost) { lost.textContent = body.dataset.tLost + " " + String(ev.name || ""); lost.classList.remove("hidden"); }
      var send = document.getElementById("send-reply");
      if (send) { send.disabled = true; }
      var draft = document.getElementById("reply-text");
      if (draft) { draft.readOnly = true; }
      return;
    }
    if (inbox) { refreshInbox(); }
    if (thread && (ev.conversation_id === convId || ev.type === "delivery")) {
      if ((ev.type === "takeover" || ev.type === "hand_back") && ev.conversation_id === convId) {
        location.reload();  // the actions and the composer change with the holder
        return;
      }
      refreshThread();
    }
  }

  if (window.EventSource && (inbox || thread || page === "tickets")) {
    var dot = document.getElementById("live-dot");
    var es = new EventSource("/console/events");
    es.onopen = function () {
      if (dot) { dot.classList.add("on"); }
      body.dataset.live = "1";
      /* catch up on what happened while the page loaded or the stream reconnected */
      if (inbox) { refreshInbox(); }
      if (thread) { refreshThread(); }
    };
    es.onerror = function () { if (dot) { dot.classList.remove("on"); } body.dataset.live = "0"; };
    es.onmessage = function (msg) {
      try { onEvent(JSON.parse(msg.data)); } catch (e) { /* ignore malformed events */ }
    };
  }

  /* SLA countdowns and waiting timers, every second. */
  function fmt(seconds) {
    seconds = Math.abs(Math.floor(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    if (d) { return d + "d " + h + "h"; }
    if (h) { return h + "h " + m + "m"; }
    return m + "m " + (seconds % 60) + "s";
  }
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) / 1000 - now;
      el.textContent = left >= 0 ? fmt(left) + " " + body.dataset.tLeft : body.dataset.tOver + " " + fmt(left);
      el.classList.toggle("over", left < 0);
      var row = el.closest("tr");
      if (row && left < 0) { row.classList.add("overdue"); }
    });
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = fmt(now - parseInt(el.dataset.since, 10));
    });
  }
  tick();
  setInterval(tick, 1000);

  /* Canned replies fill the reply box; the thread starts scrolled to the newest message. */
  var canned = document.getElementById("canned");
  var replyText = document.getElementById("reply-text");
  if (canned && replyText) {
    canned.addEventListener("change", function () {
      if (canned.value) { replyText.value = canned.value; replyText.focus(); canned.value = ""; }
    });
  }
  var list = document.querySelector(".thread");
  if (list) { list.scrollTop = list.scrollHeight; }

  /* Ctrl+Enter (or Cmd+Enter) sends the reply or the note being typed. */
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) { return; }
    var form = e.target && e.target.form;
    if (form && e.target.tagName === "TEXTAREA" && !e.target.readOnly) {
      e.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
})();
