"""A running clock from the moment the case opened, next to the case's target time.

Ticks in the browser (a few lines of JavaScript, so no server round trip every second). The HTML holds only
numbers we computed and our own (escaped) words, never case or user text, which is why it may run script. Without JavaScript the
server-rendered time of the last rerun still shows. The stopwatch icon is an SVG image (``icons.icon_html``): an
emoji such as ⏱ needs an emoji font, and a stock browser without one draws an empty box.
"""

from __future__ import annotations

from datetime import datetime

from replycoach.ui.components.icons import icon_html
from replycoach.ui.components.text import esc, minutes_label
from replycoach.ui.i18n import _


def _mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock_html(opened_at: datetime, now: datetime, target_minutes: float) -> str:
    """HTML + script of the clock. ``opened_at`` and ``now`` are timezone-aware."""
    elapsed = (now - opened_at).total_seconds()
    opened_ms = int(opened_at.timestamp() * 1000)
    target_s = int(target_minutes * 60)
    late = elapsed > target_s
    return f"""
<div id="rc-clock" data-opened-ms="{opened_ms}" data-target-s="{target_s}"
     style="font-family:system-ui,sans-serif;font-size:1.05em;padding:6px 10px;border-radius:8px;
            background:{"#fdecea" if late else "#eef6ee"};display:inline-block">
  {icon_html("stopwatch", 16, "#262626")} <span id="rc-clock-time" style="font-variant-numeric:tabular-nums;font-weight:600">{_mmss(elapsed)}</span>
  {esc(_("since the comment arrived · target {duration}").format(duration=minutes_label(target_minutes)))}
</div>
<script>
(function () {{
  if (window.__rcClockTimer) clearInterval(window.__rcClockTimer);
  function fmt(s) {{
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(x).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }}
  function tick() {{
    var box = document.getElementById("rc-clock");
    if (!box) {{ clearInterval(window.__rcClockTimer); return; }}
    var s = (Date.now() - Number(box.dataset.openedMs)) / 1000;
    document.getElementById("rc-clock-time").textContent = fmt(s);
    box.style.background = s > Number(box.dataset.targetS) ? "#fdecea" : "#eef6ee";
  }}
  tick();
  window.__rcClockTimer = setInterval(tick, 1000);
}})();
</script>
"""
