"""The complaint as it would appear on its platform: brand avatar and name, the brand's post, the comment with
the customer's display name and handle, and how long ago it was posted. Instagram, Facebook, X/Twitter and
review sites each look like their platform.

Pure functions returning escaped HTML (rendered with ``st.html``). No images are fetched: avatars are initials
on the platform's colour, so the page works offline and nothing third-party loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from replycoach.cases.models import Case, Platform
from replycoach.ui.components.icons import icon_html
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
    """HTML of the case's post and complaint as seen on its platform (every piece of text escaped).

    Instagram, Facebook (comments and reviews), X/Twitter and review sites each get their own look; the other
    platforms share the comment, review or e-mail layout. Icons are SVG images, so nothing depends on fonts."""
    look = LOOKS[case.post.platform]
    when = esc(ago_label(seconds_since_posted))
    body = _LAYOUTS.get(case.post.platform, _BY_LAYOUT[look.layout])(case, look, when)
    header = (
        f'<div style="{_MUTED};margin-bottom:8px;display:flex;justify-content:space-between">'
        f'<span style="color:{look.accent};font-weight:600">{esc(look.label)}</span></div>'
    )
    return (
        f'<div class="rc-post rc-post-{esc(look.layout)}" data-platform="{esc(case.post.platform.value)}" '
        f'style="{_CARD}">{header}{body}</div>'
    )


def _muted_handle(handle: str | None) -> str:
    return f' <span style="{_MUTED}">{esc(handle)}</span>' if handle else ""


def _complaint(case: Case, style: str = "") -> str:
    return f'<p class="rc-complaint" style="{_TEXT}{style}">{esc(case.complaint)}</p>'


def _icons(names: tuple[str, ...], colour: str = "#65676b", size: int = 18) -> str:
    return (
        '<div class="rc-actions" style="display:flex;gap:18px;margin-top:8px">'
        + "".join(icon_html(n, size, colour) for n in names)
        + "</div>"
    )


def _ring_avatar(name: str, size: int = 36) -> str:
    """Instagram's avatar: initials inside the gradient story ring."""
    return (
        f'<div style="flex:none;padding:2px;border-radius:50%;'
        f'background:linear-gradient(45deg,#feda75,#fa7e1e,#d62976,#962fbf,#4f5bd5)">'
        f'<div style="border:2px solid #fff;border-radius:50%">{_avatar(name, "#262626", size - 8)}</div></div>'
    )


def _instagram(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    brand_name = post.brand_handle or post.brand
    caption = (
        f'<p style="{_TEXT}"><strong>{esc(brand_name)}</strong> {esc(post.brand_post)}</p>' if post.brand_post else ""
    )
    return (
        f'<div style="display:flex;gap:10px;align-items:center">{_ring_avatar(post.brand)}'
        f"<div><strong>{esc(brand_name)}</strong>"
        + (f'<div style="{_MUTED}">{esc(post.brand)}</div>' if brand_name != post.brand else "")
        + "</div></div>"
        + (f'<div style="margin-top:6px">{caption}</div>' if caption else "")
        + _icons(("heart", "comment", "share"), "#262626", 22)
        + '<div style="border-top:1px solid #efefef;margin:10px 0"></div>'
        + f'<div style="display:flex;gap:10px;align-items:flex-start">{_avatar(customer, "#8a8a8a", 32)}'
        + f'<div style="flex:1"><strong>{esc(handle or customer)}</strong>'
        + (f' <span style="{_MUTED}">{esc(customer)}</span>' if handle and customer != handle else "")
        + f"{_complaint(case, ';display:inline')}"
        + f'<div style="{_MUTED};margin-top:4px;display:flex;gap:14px"><span>{when}</span>'
        + "<strong>Reply</strong></div></div>"
        + f'<div style="color:#8e8e8e">{icon_html("heart", 14, "#8e8e8e")}</div></div>'
    )


def _facebook_comment(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    brand_post = f'<p style="{_TEXT}">{esc(post.brand_post)}</p>' if post.brand_post else ""
    actions = (
        '<div style="display:flex;justify-content:space-around;border-top:1px solid #ced0d4;'
        'border-bottom:1px solid #ced0d4;margin:10px 0;padding:4px 0;color:#65676b;font-weight:600;font-size:0.9em">'
        f"<span>{icon_html('like', 16, '#65676b')} Like</span><span>{icon_html('comment', 16, '#65676b')} Comment</span>"
        f"<span>{icon_html('share', 16, '#65676b')} Share</span></div>"
    )
    return (
        f'<div style="display:flex;gap:10px;align-items:center">{_avatar(post.brand, look.accent, 40)}<div>'
        f"<strong>{esc(post.brand)}</strong>"
        + (f' <span style="{_MUTED}">{esc(post.brand_handle)}</span>' if post.brand_handle else "")
        + f'<div style="{_MUTED}">{icon_html("globe", 12, "#65676b")}</div></div></div>'
        + brand_post
        + actions
        + f'<div style="display:flex;gap:8px;align-items:flex-start">{_avatar(customer, "#8a8a8a", 32)}<div>'
        + '<div style="background:#f0f2f5;border-radius:18px;padding:8px 12px">'
        + f"<strong>{esc(customer)}</strong>{_muted_handle(handle)}"
        + f"{_complaint(case)}</div>"
        + f'<div style="{_MUTED};font-weight:600;padding-left:12px;margin-top:3px;display:flex;gap:12px">'
        + f"<span>Like</span><span>Reply</span><span>{when}</span></div></div></div>"
    )


def _facebook_review(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    return (
        f'<div style="display:flex;gap:10px;align-items:flex-start">{_avatar(customer, "#8a8a8a", 40)}'
        f'<div style="flex:1"><div><strong>{esc(customer)}</strong>'
        + (f' <span style="{_MUTED}">{esc(handle)}</span>' if handle else "")
        + f'</div><div style="{_MUTED}">{icon_html("not_recommended", 13, "#e41e3f")} '
        f"Doesn't recommend <strong>{esc(post.brand)}</strong> · {when}</div>"
        + f"{_complaint(case)}"
        + _icons(("like", "comment", "share"), "#65676b", 16)
        + "</div></div>"
    )


def _twitter(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    body = (
        f'<div style="display:flex;gap:10px">{_avatar(customer, "#536471", 40)}<div style="flex:1">'
        f'{_who(customer, handle)} <span style="{_MUTED}">· {when}</span>'
        f'<div style="{_MUTED}">Replying to <span style="color:#1D9BF0">{esc(post.brand_handle or post.brand)}</span>'
        f"</div>{_complaint(case)}"
        + _icons(("reply", "repost", "heart", "views", "share"), "#536471", 17)
        + "</div></div>"
    )
    if post.brand_post:
        body = (
            f'<div style="display:flex;gap:10px;margin-bottom:10px">{_avatar(post.brand, look.accent, 40)}'
            f'<div style="flex:1">{_who(post.brand, post.brand_handle)}<p style="{_TEXT}">{esc(post.brand_post)}</p>'
            f'</div></div><div style="border-left:2px solid #cfd9de;height:10px;margin:-6px 0 4px 19px"></div>' + body
        )
    return body


def _review_site(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    return (
        f'<div style="display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #e5e5dd;'
        f'padding-bottom:8px;margin-bottom:10px"><strong style="font-size:1.05em">{esc(post.brand)}</strong>'
        f'<span style="{_MUTED}">Reviews</span></div>'
        f'<div style="display:flex;gap:10px;align-items:center">{_avatar(customer, "#6b6b6b", 32)}<div>'
        f"<strong>{esc(customer)}</strong>{_muted_handle(handle)}"
        f'<div style="{_MUTED}">Reviewed {when}</div></div></div>'
        f"{_complaint(case, ';margin-top:8px')}"
        f'<div style="{_MUTED};display:flex;gap:16px;margin-top:8px"><span>{icon_html("like", 14, "#737373")} Useful</span>'
        f"<span>{icon_html('share', 14, '#737373')} Share</span><span>{icon_html('flag', 14, '#737373')} Report</span></div>"
    )


def _email(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    return (
        f'<div style="{_MUTED}">From: {_who(customer, handle)}<br>To: {esc(post.brand)}'
        f"{' &lt;' + esc(post.brand_handle) + '&gt;' if post.brand_handle else ''}<br>Received {when}</div>"
        f'<div style="font-weight:600;margin-top:8px">{esc(case.title)}</div>{_complaint(case)}'
    )


def _review(case: Case, look: PlatformLook, when: str) -> str:
    post = case.post
    customer, handle = customer_name_of(case)
    return (
        f'<div style="{_MUTED};margin-bottom:6px">Review of <strong>{esc(post.brand)}</strong></div>'
        f'<div style="display:flex;gap:10px">{_avatar(customer, "#8a8a8a")}<div style="flex:1">'
        f'{_who(customer, handle)} <span style="{_MUTED}">· {when}</span>{_complaint(case)}</div></div>'
    )


def _comment(case: Case, look: PlatformLook, when: str) -> str:
    """A comment under the brand's post (VK, Telegram and other comment platforms)."""
    post = case.post
    customer, handle = customer_name_of(case)
    brand_post = (
        f'<p style="{_TEXT}">{esc(post.brand_post)}</p>'
        if post.brand_post
        else f'<p style="{_MUTED};margin:4px 0 0 0">(post)</p>'
    )
    return (
        f'<div style="display:flex;gap:10px;align-items:flex-start">{_avatar(post.brand, look.accent)}'
        f'<div style="flex:1">{_who(post.brand, post.brand_handle)}{brand_post}</div></div>'
        f'<div style="border-top:1px solid #efefef;margin:10px 0"></div>'
        f'<div style="display:flex;gap:10px;align-items:flex-start;padding-left:12px">'
        f'{_avatar(customer, "#8a8a8a", 30)}<div style="flex:1;background:#f0f2f5;border-radius:14px;padding:8px 12px">'
        f"{_who(customer, handle)}{_complaint(case)}</div></div>"
        f'<div style="{_MUTED};padding-left:54px;margin-top:4px">{when}</div>'
    )


_LAYOUTS = {
    Platform.instagram_comment: _instagram,
    Platform.facebook_comment: _facebook_comment,
    Platform.facebook_review: _facebook_review,
    Platform.twitter: _twitter,
    Platform.review_site: _review_site,
}
_BY_LAYOUT = {"comment": _comment, "review": _review, "tweet": _twitter, "email": _email}


def thread_message_html(author: str, text: str, *, mine: bool) -> str:
    """One message of the conversation after the first reply (the trainee's or the customer's)."""
    align = "flex-end" if mine else "flex-start"
    colour = "#e7f3ff" if mine else "#f0f2f5"
    return (
        f'<div style="display:flex;justify-content:{align};margin:6px 0;font-family:system-ui,sans-serif">'
        f'<div style="max-width:80%;background:{colour};border-radius:14px;padding:8px 12px">'
        f'<strong>{esc(author)}</strong><p style="{_TEXT}">{esc(text)}</p></div></div>'
    )
