"""The complaint as it would appear on its platform: brand avatar and name, the brand's post, the comment with
the customer's display name and handle, and how long ago it was posted.

Pure functions returning escaped HTML (rendered with ``st.html``). No images are fetched: avatars are initials
on the platform's colour, so the page works offline and nothing third-party loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from replycoach.cases.models import Case, Platform
from replycoach.ui.components.text import ago_label, esc


@dataclass(frozen=True)
class PlatformLook:
    label: str
    accent: str  # brand-ish colour of the platform
    layout: str  # "comment" (a comment under a brand post), "review", "tweet" or "email"


LOOKS: dict[Platform, PlatformLook] = {
    Platform.instagram_comment: PlatformLook("Instagram", "#C13584", "comment"),
    Platform.facebook_comment: PlatformLook("Facebook", "#1877F2", "comment"),
    Platform.facebook_review: PlatformLook("Facebook review", "#1877F2", "review"),
    Platform.twitter: PlatformLook("X / Twitter", "#0F1419", "tweet"),
    Platform.vk_comment: PlatformLook("VK", "#0077FF", "comment"),
    Platform.telegram_comment: PlatformLook("Telegram", "#229ED9", "comment"),
    Platform.review_site: PlatformLook("Review site", "#00B67A", "review"),
    Platform.google_maps_review: PlatformLook("Google Maps review", "#34A853", "review"),
    Platform.shop_review: PlatformLook("Shop review", "#F28C28", "review"),
    Platform.email: PlatformLook("E-mail", "#5F6368", "email"),
}

_CARD = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;border:1px solid #dbdbdb;"
    "border-radius:12px;padding:14px 16px;background:#fff;color:#262626;max-width:640px;line-height:1.45"
)
_TEXT = "white-space:pre-wrap;word-wrap:break-word;margin:4px 0 0 0"
_MUTED = "color:#737373;font-size:0.85em"


def initials(name: str) -> str:
    """Up to two initials of a name ("Zara Home" -> "ZH"; "@olga.m" -> "O")."""
    words = [w for w in name.replace("@", " ").replace(".", " ").replace("_", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _avatar(name: str, colour: str, size: int = 36) -> str:
    return (
        f'<div style="flex:none;width:{size}px;height:{size}px;border-radius:50%;background:{colour};color:#fff;'
        f'display:flex;align-items:center;justify-content:center;font-weight:600;font-size:{size // 2.6:.0f}px">'
        f"{esc(initials(name))}</div>"
    )


def _who(name: str, handle: str | None) -> str:
    handle_html = f' <span style="{_MUTED}">{esc(handle)}</span>' if handle and handle != name else ""
    return f"<strong>{esc(name)}</strong>{handle_html}"


def customer_name_of(case: Case) -> tuple[str, str | None]:
    """What the platform shows for the customer: display name (or the handle, or "Anonymous") and handle."""
    customer = case.post.customer
    name = customer.display_name or customer.handle or "Anonymous"
    return name, customer.handle


def post_html(case: Case, *, seconds_since_posted: float) -> str:
    """HTML of the case's post and complaint as seen on its platform (every piece of text escaped)."""
    look = LOOKS[case.post.platform]
    post = case.post
    customer, handle = customer_name_of(case)
    when = esc(ago_label(seconds_since_posted))
    header = (
        f'<div style="{_MUTED};margin-bottom:8px;display:flex;justify-content:space-between">'
        f'<span style="color:{look.accent};font-weight:600">{esc(look.label)}</span></div>'
    )
    complaint = f'<p class="rc-complaint" style="{_TEXT}">{esc(case.complaint)}</p>'

    if look.layout == "email":
        body = (
            f'<div style="{_MUTED}">From: {_who(customer, handle)}<br>To: {esc(post.brand)}'
            f"{' &lt;' + esc(post.brand_handle) + '&gt;' if post.brand_handle else ''}<br>Received {when}</div>"
            f'<div style="font-weight:600;margin-top:8px">{esc(case.title)}</div>{complaint}'
        )
    elif look.layout == "tweet":
        body = (
            f'<div style="display:flex;gap:10px">{_avatar(customer, "#536471", 40)}<div style="flex:1">'
            f'{_who(customer, handle)} <span style="{_MUTED}">· {when}</span>'
            + (
                f'<div style="{_MUTED}">Replying to <span style="color:#1D9BF0">{esc(post.brand_handle or post.brand)}</span></div>'
            )
            + f"{complaint}</div></div>"
        )
        if post.brand_post:
            body = (
                f'<div style="display:flex;gap:10px;margin-bottom:10px">{_avatar(post.brand, look.accent, 40)}'
                f'<div style="flex:1">{_who(post.brand, post.brand_handle)}<p style="{_TEXT}">{esc(post.brand_post)}</p>'
                f"</div></div>" + body
            )
    elif look.layout == "review":
        body = (
            f'<div style="{_MUTED};margin-bottom:6px">Review of <strong>{esc(post.brand)}</strong></div>'
            f'<div style="display:flex;gap:10px">{_avatar(customer, "#8a8a8a")}<div style="flex:1">'
            f'{_who(customer, handle)} <span style="{_MUTED}">· {when}</span>{complaint}</div></div>'
        )
    else:  # a comment under the brand's post
        brand_post = (
            f'<p style="{_TEXT}">{esc(post.brand_post)}</p>'
            if post.brand_post
            else f'<p style="{_MUTED};margin:4px 0 0 0">(post)</p>'
        )
        body = (
            f'<div style="display:flex;gap:10px;align-items:flex-start">{_avatar(post.brand, look.accent)}'
            f'<div style="flex:1">{_who(post.brand, post.brand_handle)}{brand_post}</div></div>'
            f'<div style="border-top:1px solid #efefef;margin:10px 0"></div>'
            f'<div style="display:flex;gap:10px;align-items:flex-start;padding-left:12px">'
            f'{_avatar(customer, "#8a8a8a", 30)}<div style="flex:1;background:#f0f2f5;border-radius:14px;padding:8px 12px">'
            f"{_who(customer, handle)}{complaint}</div></div>"
            f'<div style="{_MUTED};padding-left:54px;margin-top:4px">{when}</div>'
        )
    return f'<div class="rc-post" style="{_CARD}">{header}{body}</div>'


def thread_message_html(author: str, text: str, *, mine: bool) -> str:
    """One message of the conversation after the first reply (the trainee's or the customer's)."""
    align = "flex-end" if mine else "flex-start"
    colour = "#e7f3ff" if mine else "#f0f2f5"
    return (
        f'<div style="display:flex;justify-content:{align};margin:6px 0;font-family:system-ui,sans-serif">'
        f'<div style="max-width:80%;background:{colour};border-radius:14px;padding:8px 12px">'
        f'<strong>{esc(author)}</strong><p style="{_TEXT}">{esc(text)}</p></div></div>'
    )
