"""Case studio (coaches, admins): edit a case in a form (translations included) and as raw YAML side by side,
validated live with the same messages as ``replycoach validate``, previewed as trainees see it, with lint
warnings, a box to try a reply against the draft, its life cycle (draft, published, retired: who and when, with
the buttons to move it on; lint that blocks publishing blocks it), and saving that never loses work (an invalid
text is kept as a draft; the page says where).

Every YAML text and file is read through the guarded reader (``replycoach.cases.safe_yaml``) that ``replycoach
validate`` uses, so the form refuses what validation refuses (an alias bomb, a symbolic link) instead of
expanding it. A save states the version of the file the coach started from (``_BASE``): when another coach
saved in between, nothing is written and the page shows both versions as a diff.

The YAML text is the source of truth (``_YAML``). Editing a form field rewrites the YAML (comments in the text
are lost then; edit the YAML directly to keep them); editing the YAML refills the form. Both happen in widget
callbacks, which run before the page is drawn, so the two sides never show different cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from replycoach.cases.draft import draft_case_yaml, dump_case
from replycoach.cases.lifecycle import MOVES, StatusChangeRefused, change_status, saving_problems
from replycoach.cases.lint import engine_grade_fn, lint_case
from replycoach.cases.loader import save_case_text, validate_text
from replycoach.cases.models import HANDLING_LABELS, LANGUAGES, PRINCIPLES, CaseStatus, Handling, Negativity, Platform
from replycoach.cases.safe_yaml import YamlProblem, parse_yaml
from replycoach.cases.saving import NO_FILE, conflict_diff, drafts_for, keep_draft, read_for_editing
from replycoach.config import get_settings
from replycoach.localtime import local_text
from replycoach.ui import services, session
from replycoach.ui.components.evidence import highlight_html, legend_html, spans_from_grade
from replycoach.ui.components.post import post_html
from replycoach.ui.components.scores import overall_html, principle_bars_html
from replycoach.ui.components.text import LANGUAGE_NAMES, md_text
from replycoach.ui.i18n import _, principle_title

NEW = "__new__"
_YAML = "studio_yaml"  # the raw YAML editor's key: the text being edited
_FILE = "studio_file"  # the file name it will be saved as (inside the scenarios directory)
_PICK = "studio_pick"
_FORM_ERROR = "studio_form_error"
_LINT_CACHE = "studio_lint_cache"
_BASE = "studio_base"  # (file name, version) the text was opened from; see replycoach.cases.saving
_CONFLICT = "studio_conflict"  # the last save's conflict: (file name, current text, current version, diff)
_REPLACE = "studio_replace"  # the coach chose to replace the other version with theirs
_STATUS_NOTE = "studio_status_note"  # (kind, message) after a life-cycle button
#: The translation fields the form edits, per language; the rest of a translation is edited in the YAML.
TRANSLATION_FIELDS = ("title", "complaint", "brand_post", "first_name", "key_facts", "good", "bad")
#: What each status move's button says.
MOVE_LABELS = {
    (CaseStatus.draft, CaseStatus.published): "Publish",
    (CaseStatus.published, CaseStatus.retired): "Retire",
    (CaseStatus.published, CaseStatus.draft): "Back to draft",
    (CaseStatus.retired, CaseStatus.published): "Publish again",
}
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.ya?ml$")
_F = "studio_f_"  # prefix of the form widgets' keys

BLANK_CASE = """\
schema_version: 1
id: new-case
title: New case
language: en
status: draft
difficulty: medium
negativity: constructive
expected_handling: public_reply
target_response_minutes: 60
post:
  platform: instagram_comment
  brand: Brand
complaint: The customer's comment goes here.
"""

# --- the form's line formats (pure: parse and format one list field) ---------------------------------------


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _multi_line(text: str) -> str:
    return re.sub(r"\\(\\|n)", lambda m: "\n" if m.group(1) == "n" else "\\", text)


def format_key_facts(facts: list[dict]) -> str:
    return "\n".join(
        f"{f.get('id', '')} | {f.get('description', '')} | {', '.join(f.get('cues') or [])}" for f in facts
    )


def parse_key_facts(text: str, old: list[dict]) -> list[dict]:
    """``id | description | cue, cue`` per line; fields the form does not show are kept by position."""
    facts = []
    for n, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        parts = [p.strip() for p in line.split("|", 2)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"key facts, line {n + 1}: write it as 'id | description | cue, cue'")
        fact = dict(old[n]) if n < len(old) else {}
        fact.update(id=parts[0], description=parts[1])
        fact["cues"] = [c.strip() for c in parts[2].split(",") if c.strip()] if len(parts) == 3 else []
        facts.append(fact)
    return facts


def format_good(items: list[dict]) -> str:
    return "\n".join(f"{e.get('score', '')} | {_one_line(str(e.get('text', '')))}" for e in items)


def parse_good(text: str, old: list[dict]) -> list[dict]:
    """``score | text`` per line (``\\n`` for a line break in the reply)."""
    out = []
    for n, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        score, sep, body = line.partition("|")
        if not sep or not body.strip():
            raise ValueError(f"good exemplars, line {n + 1}: write it as 'score | reply text'")
        item = dict(old[n]) if n < len(old) else {}
        item.update(score=_score(score, "good", n), text=_multi_line(body.strip()))
        out.append(item)
    return out


def format_bad(items: list[dict]) -> str:
    return "\n".join(
        f"{e.get('score', 0)} | {', '.join(e.get('problems') or [])} | {_one_line(str(e.get('note', '')))} | "
        f"{_one_line(str(e.get('text', '')))}"
        for e in items
    )


def parse_bad(text: str, old: list[dict]) -> list[dict]:
    """``score | problem, problem | note | text`` per line."""
    out = []
    for n, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        parts = [p.strip() for p in line.split("|", 3)]
        if len(parts) != 4 or not parts[3]:
            raise ValueError(f"bad exemplars, line {n + 1}: write it as 'score | problem, problem | note | reply text'")
        problems = [p.strip() for p in parts[1].split(",") if p.strip()]
        unknown = [p for p in problems if p not in PRINCIPLES]
        if unknown:
            raise ValueError(
                f"bad exemplars, line {n + 1}: unknown principle {unknown[0]!r}; use {', '.join(PRINCIPLES)}"
            )
        item = dict(old[n]) if n < len(old) else {}
        item.update(
            score=_score(parts[0], "bad", n), problems=problems, note=_multi_line(parts[2]), text=_multi_line(parts[3])
        )
        out.append(item)
    return out


def _score(raw: str, kind: str, n: int) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(
            f"{kind} exemplars, line {n + 1}: the score {raw.strip()!r} is not a whole number 0-100"
        ) from None


# --- YAML <-> form -----------------------------------------------------------------------------------------


def _load_mapping(text: str) -> dict | None:
    """The text's top-level mapping, read by the guarded reader; None for anything validation refuses to read."""
    try:
        data = parse_yaml(text).data
    except YamlProblem:
        return None
    return data if isinstance(data, dict) else None


def form_values(data: dict) -> dict:
    """The form widgets' values for a case mapping (missing or odd values give empty fields)."""
    post = data.get("post") if isinstance(data.get("post"), dict) else {}
    customer = post.get("customer") if isinstance(post.get("customer"), dict) else {}
    ex = data.get("exemplars") if isinstance(data.get("exemplars"), dict) else {}

    def as_list(v) -> list[dict]:
        return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []

    minutes = data.get("target_response_minutes")
    translations = data.get("translations") if isinstance(data.get("translations"), dict) else {}
    tr_values = {}
    for lang in LANGUAGES:
        tr = translations.get(lang) if isinstance(translations.get(lang), dict) else {}
        tr_customer = tr.get("customer") if isinstance(tr.get("customer"), dict) else {}
        tr_ex = tr.get("exemplars") if isinstance(tr.get("exemplars"), dict) else {}
        tr_values.update(
            {
                f"tr_{lang}_title": str(tr.get("title") or ""),
                f"tr_{lang}_complaint": str(tr.get("complaint") or ""),
                f"tr_{lang}_brand_post": str(tr.get("brand_post") or ""),
                f"tr_{lang}_first_name": str(tr_customer.get("first_name") or ""),
                f"tr_{lang}_key_facts": format_key_facts(as_list(tr.get("key_facts"))),
                f"tr_{lang}_good": format_good(as_list(tr_ex.get("good"))),
                f"tr_{lang}_bad": format_bad(as_list(tr_ex.get("bad"))),
            }
        )
    return tr_values | {
        "title": str(data.get("title") or ""),
        "complaint": str(data.get("complaint") or ""),
        "display_name": str(customer.get("display_name") or ""),
        "first_name": str(customer.get("first_name") or ""),
        "platform": post.get("platform")
        if post.get("platform") in {p.value for p in Platform}
        else Platform.instagram_comment.value,
        "brand": str(post.get("brand") or ""),
        "negativity": data.get("negativity")
        if data.get("negativity") in {n.value for n in Negativity}
        else Negativity.constructive.value,
        "handling": data.get("expected_handling")
        if data.get("expected_handling") in {h.value for h in Handling}
        else Handling.public_reply.value,
        "minutes": float(minutes) if isinstance(minutes, int | float) else 60.0,
        "key_facts": format_key_facts(as_list(data.get("key_facts"))),
        "good": format_good(as_list(ex.get("good"))),
        "bad": format_bad(as_list(ex.get("bad"))),
    }


def apply_form(data: dict, values: dict) -> dict:
    """``data`` with the form's values written in. Raises ``ValueError`` for a list field in the wrong shape."""
    out = dict(data)
    out["title"] = values["title"]
    out["complaint"] = values["complaint"]
    post = dict(out.get("post") or {})
    post.update(platform=values["platform"], brand=values["brand"])
    customer = {k: v for k, v in dict(post.get("customer") or {}).items() if k not in ("display_name", "first_name")}
    if values["display_name"].strip():
        customer["display_name"] = values["display_name"].strip()
    if values["first_name"].strip():
        customer["first_name"] = values["first_name"].strip()
    if customer:
        post["customer"] = customer
    else:
        post.pop("customer", None)
    out["post"] = post
    out["negativity"] = values["negativity"]
    out["expected_handling"] = values["handling"]
    minutes = float(values["minutes"])
    out["target_response_minutes"] = int(minutes) if minutes == int(minutes) else minutes
    out["key_facts"] = parse_key_facts(values["key_facts"], list(data.get("key_facts") or []))
    ex = dict(out.get("exemplars") or {})
    ex["good"] = parse_good(values["good"], list(ex.get("good") or []))
    ex["bad"] = parse_bad(values["bad"], list(ex.get("bad") or []))
    out["exemplars"] = ex
    translations = _apply_translations(dict(out.get("translations") or {}), values, out.get("language"))
    if translations:
        out["translations"] = translations
    else:
        out.pop("translations", None)
    return out


def _apply_translations(translations: dict, values: dict, own_language: str | None) -> dict:
    """The translations with the form's per-language fields written in. A language whose form fields are all
    empty and that holds nothing else is removed; parts of a translation the form does not show are kept."""
    for lang in LANGUAGES:
        if lang == own_language or f"tr_{lang}_title" not in values:
            continue
        fields = {name: str(values.get(f"tr_{lang}_{name}") or "") for name in TRANSLATION_FIELDS}
        old = dict(translations.get(lang) or {})
        tr = {k: v for k, v in old.items() if k not in ("title", "complaint", "brand_post", "key_facts")}
        for name in ("title", "complaint", "brand_post"):
            if fields[name].strip():
                tr[name] = fields[name].strip() if name == "title" else fields[name]
        customer = {k: v for k, v in dict(tr.get("customer") or {}).items() if k != "first_name"}
        if fields["first_name"].strip():
            customer["first_name"] = fields["first_name"].strip()
        if customer:
            tr["customer"] = customer
        else:
            tr.pop("customer", None)
        where = f"{LANGUAGE_NAMES[lang]} translation"
        try:
            if fields["key_facts"].strip():
                tr["key_facts"] = parse_key_facts(fields["key_facts"], list(old.get("key_facts") or []))
            old_ex = dict(old.get("exemplars") or {})
            good = parse_good(fields["good"], list(old_ex.get("good") or []))
            bad = parse_bad(fields["bad"], list(old_ex.get("bad") or []))
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        if good or bad:
            tr["exemplars"] = {**old_ex, "good": good, "bad": bad}
        else:
            tr.pop("exemplars", None)
        if tr:
            translations[lang] = tr
        else:
            translations.pop(lang, None)
    return translations


# --- callbacks (run before the page is drawn) ---------------------------------------------------------------


def _set_text(text: str, file_name: str | None = None, version: str | None = None) -> None:
    """Put ``text`` in the editor; with ``file_name``, it now edits that file, opened at ``version``."""
    st.session_state[_YAML] = text
    if file_name is not None:
        st.session_state[_FILE] = file_name
        st.session_state[_BASE] = (file_name, version or NO_FILE)
        st.session_state.pop(_CONFLICT, None)
    _fill_form_from_yaml()


def _fill_form_from_yaml() -> None:
    data = _load_mapping(st.session_state.get(_YAML, ""))
    st.session_state.pop(_FORM_ERROR, None)
    if data is None:  # unparsable YAML: the form keeps its last values; the validation says what is wrong
        return
    for name, value in form_values(data).items():
        st.session_state[_F + name] = value


def _on_form_change() -> None:
    data = _load_mapping(st.session_state.get(_YAML, ""))
    if data is None:
        st.session_state[_FORM_ERROR] = "The YAML cannot be read right now: fix it there first, then use the form."
        return
    values = {name: st.session_state.get(_F + name) for name in form_values({})}
    try:
        st.session_state[_YAML] = dump_case(apply_form(data, values))
        st.session_state.pop(_FORM_ERROR, None)
    except (ValueError, TypeError) as err:
        st.session_state[_FORM_ERROR] = str(err)


def _on_pick() -> None:
    pick = st.session_state[_PICK]
    if pick == NEW:
        _set_text(BLANK_CASE, "new-case.yaml")
        return
    _open_file(Path(pick))


def _open_file(path: Path) -> None:
    try:
        text, version = read_for_editing(path)
    except YamlProblem as err:
        st.session_state[_FORM_ERROR] = f"Could not open {path.name}: it {err.message}"
        return
    except OSError as err:
        st.session_state[_FORM_ERROR] = f"Could not open {path.name}: {err.strerror or err}"
        return
    _set_text(text, path.name, version)


def _on_new_from_complaint(existing_ids: list[str]) -> None:
    try:
        text = draft_case_yaml(
            st.session_state.get("studio_real_text", ""),
            platform=st.session_state.get("studio_real_platform", Platform.instagram_comment.value),
            brand=st.session_state.get("studio_real_brand", ""),
            customer_name=st.session_state.get("studio_real_name") or None,
            existing_ids=existing_ids,
        )
    except ValueError as err:
        st.session_state["studio_real_error"] = str(err)
        return
    st.session_state.pop("studio_real_error", None)
    case_id = parse_yaml(text).data["id"]
    _set_text(text, f"{case_id}.yaml", NO_FILE)


# --- the page ----------------------------------------------------------------------------------------------


def render() -> None:
    user = session.require("studio")
    st.session_state["studio_user"] = user.username  # who publishes or retires (the buttons' callbacks read it)
    settings = get_settings()
    library = services.get_library()
    st.title(_("Case studio"))
    if _YAML not in st.session_state:
        _set_text(BLANK_CASE, "new-case.yaml")

    _picker(library)
    _new_from_complaint(library)

    text = st.session_state[_YAML]
    file_name = st.session_state.get(_FILE, "new-case.yaml")
    case, problems = validate_text(text, filename=file_name)

    form_col, yaml_col = st.columns(2, gap="large")
    with form_col:
        _form()
    with yaml_col:
        st.text_area(_("Case file (YAML)"), key=_YAML, height=640, on_change=_fill_form_from_yaml)
        if problems:
            st.error(_("The case is not valid yet:") + "\n\n" + _bullets(problems))
        else:
            st.success(_("Valid case."))
    _save_box(settings, file_name)
    if case is None:
        return
    _life_cycle_box(case, file_name)
    _lint_box(case, settings.pass_mark)
    _preview_and_try(case, settings.pass_mark)


def _picker(library) -> None:
    options = [NEW]
    labels = {NEW: "— new case —"}
    valid_paths = {str(p): cid for cid, p in library.paths.items()}
    for path in sorted(library.files, key=lambda p: p.name):
        options.append(str(path))
        cid = valid_paths.get(str(path))
        labels[str(path)] = f"{library.cases[cid].title} ({path.name})" if cid else f"{path.name} — has problems"
    st.selectbox(
        _("Case"),
        options,
        format_func=labels.get,
        key=_PICK,
        index=None,
        placeholder=_("Open a case…"),
        on_change=_on_pick,
    )


def _new_from_complaint(library) -> None:
    with st.expander(_("New case from a real complaint")):
        st.text_area(_("The customer's comment, as posted"), key="studio_real_text")
        c1, c2, c3 = st.columns(3)
        c1.selectbox(_("Platform"), [p.value for p in Platform], key="studio_real_platform")
        c2.text_input(_("Brand"), key="studio_real_brand")
        c3.text_input(_("Customer's name (optional)"), key="studio_real_name")
        st.button(
            _("Build a draft"), key="studio_real_build", on_click=_on_new_from_complaint, args=(sorted(library.cases),)
        )
        if st.session_state.get("studio_real_error"):
            st.error(md_text(st.session_state["studio_real_error"]))


def _form() -> None:
    st.subheader(_("Form"))
    if st.session_state.get(_FORM_ERROR):
        st.error(md_text(st.session_state[_FORM_ERROR]))
    kw = {"on_change": _on_form_change}
    st.text_input(_("Title"), key=_F + "title", **kw)
    st.text_area(_("Complaint"), key=_F + "complaint", height=110, **kw)
    c1, c2 = st.columns(2)
    c1.selectbox(_("Platform"), [p.value for p in Platform], key=_F + "platform", **kw)
    c2.text_input(_("Brand"), key=_F + "brand", **kw)
    c1.text_input(_("Customer's display name"), key=_F + "display_name", **kw)
    c2.text_input(_("Customer's first name (for personal address)"), key=_F + "first_name", **kw)
    c1.selectbox(_("Negativity"), [n.value for n in Negativity], key=_F + "negativity", **kw)
    c2.selectbox(
        _("Expected handling"),
        [h.value for h in Handling],
        key=_F + "handling",
        format_func=lambda v: HANDLING_LABELS[Handling(v)],
        **kw,
    )
    st.number_input(
        _("Target response time (minutes)"), min_value=1.0, max_value=7 * 24 * 60.0, key=_F + "minutes", **kw
    )
    st.text_area(_("Key facts — one per line: id | description | cue, cue"), key=_F + "key_facts", **kw)
    st.text_area(_("Good exemplars — score | reply (\\n for a line break)"), key=_F + "good", height=130, **kw)
    st.text_area(_("Bad exemplars — score | problems | note | reply"), key=_F + "bad", height=130, **kw)
    _translations_form(kw)
    st.caption(
        _(
            "Other fields (real reply, follow-ups, notes) are edited in the YAML. Form edits rewrite the YAML "
            "without its comments."
        )
    )


def _translations_form(kw: dict) -> None:
    """One tab per other language: the translated title, complaint, brand post, customer's first name, key
    facts (same ids as the original) and exemplars; empty fields fall back to the original language."""
    data = _load_mapping(st.session_state.get(_YAML, "")) or {}
    others = [lang for lang in LANGUAGES if lang != data.get("language")]
    st.markdown("**Translations**")
    for tab, lang in zip(st.tabs([LANGUAGE_NAMES[lang] for lang in others]), others, strict=True):
        with tab:
            key = f"{_F}tr_{lang}_"
            st.text_input(_("Title"), key=key + "title", **kw)
            st.text_area(_("Complaint"), key=key + "complaint", height=90, **kw)
            c1, c2 = st.columns(2)
            c1.text_input(_("The brand's post (optional)"), key=key + "brand_post", **kw)
            c2.text_input(_("Customer's first name in this language (optional)"), key=key + "first_name", **kw)
            st.text_area(_("Key facts — id | description | cue, cue (the original's ids)"), key=key + "key_facts", **kw)
            st.text_area(_("Good exemplars — score | reply"), key=key + "good", height=100, **kw)
            st.text_area(_("Bad exemplars — score | problems | note | reply"), key=key + "bad", height=100, **kw)


def _save_box(settings, file_name: str) -> None:
    st.subheader(_("Save"))
    c1, c2 = st.columns([3, 1])
    c1.text_input(_("File name in the casebook"), key=_FILE)
    if c2.button(_("Save case"), type="primary", key="studio_save"):
        name = st.session_state.get(_FILE, "").strip()
        if not _FILE_NAME.match(name):
            st.error(_("File name: lower-case letters, digits and dashes, ending in .yaml (e.g. dress-hole.yaml)."))
            return
        case, _problems = validate_text(st.session_state[_YAML])
        unfinished = saving_problems(case) if case is not None else []
        if unfinished:  # a live case must stay publishable
            draft = keep_draft(settings.scenarios_dir / name, st.session_state[_YAML], data_dir=settings.data_dir)
            st.error(
                _(
                    "Not saved: a published case must stay ready for trainees. Finish it, or set `status: draft` to "
                    "save work in progress."
                )
                + "\n\n"
                + _bullets(unfinished)
            )
            st.warning(md_text(f"Nothing is lost: your text is kept as a draft in {draft}"))
            return
        _save(settings, name, _opened_version(name))
    elif st.session_state.pop(_REPLACE, False) and _CONFLICT in st.session_state:
        name, _text, version, _draft = st.session_state[_CONFLICT]
        _save(settings, name, version)
    conflict = st.session_state.get(_CONFLICT)
    if conflict is not None and conflict[0] == file_name:
        _conflict_box(settings, *conflict)
    drafts = drafts_for(settings.scenarios_dir / file_name, settings.data_dir)
    if drafts:
        with st.expander(f"Drafts kept for {md_text(file_name)} ({len(drafts)})"):
            st.caption(md_text(f"Newest: {drafts[0]}"))
            st.button(_("Open the newest draft"), key="studio_open_draft", on_click=_open_draft, args=(str(drafts[0]),))


def _opened_version(name: str) -> str:
    """The version a save of file ``name`` starts from: the one opened, or "no file yet" for a new name."""
    base_name, version = st.session_state.get(_BASE, (None, NO_FILE))
    return version if base_name == name else NO_FILE


def _save(settings, name: str, based_on: str) -> None:
    text = st.session_state[_YAML]
    result = save_case_text(settings.scenarios_dir / name, text, data_dir=settings.data_dir, based_on=based_on)
    if result.saved:
        st.session_state[_BASE] = (name, result.version)
        st.session_state.pop(_CONFLICT, None)
        kept = f" The previous version is kept in {result.history_path}." if result.history_path else ""
        st.success(md_text(f"Saved {result.path.name}.{kept}" if result.changed else "No changes to save."))
        return
    if result.conflict:
        diff = conflict_diff(result.current_text, text, name)
        st.session_state[_CONFLICT] = (name, result.current_text, result.version, diff)
    else:
        st.error(_("Not saved:") + "\n\n" + _bullets(result.problems))
    st.warning(md_text(f"Nothing is lost: your text is kept as a draft in {result.draft_path}"))


def _conflict_box(settings, name: str, current_text: str | None, version: str, diff: str) -> None:
    """Another coach saved (or deleted) the file since this coach opened it: show both, let them choose."""
    what = "deleted" if current_text is None else "saved a new version of"
    st.error(md_text(f"Not saved: someone else {what} {name} since you opened it. Your text was not written."))
    st.caption(_("What changes if your text replaces theirs (- theirs, + yours):"))
    st.code(diff or "(no differences)", language="diff")
    c1, c2 = st.columns(2)
    if current_text is not None:
        c1.button(
            _("Open their version (yours stays in the drafts)"),
            key="studio_conflict_theirs",
            on_click=_set_text,
            args=(current_text, name, version),
        )
    c2.button(
        _("Replace it with mine"),
        key="studio_conflict_mine",
        on_click=st.session_state.__setitem__,
        args=(_REPLACE, True),
    )


def _bullets(problems) -> str:
    return "\n".join(f"- {md_text(str(p))}" for p in problems)


def _life_cycle_box(case, file_name: str) -> None:
    """The case's status with who changed it when, and the buttons that move it on (each saves the case)."""
    user = session.current_user()
    st.subheader(_("Status"))
    note = st.session_state.pop(_STATUS_NOTE, None)
    if note is not None:
        kind, message = note
        (st.success if kind == "ok" else st.error)(message)
    explained = {
        CaseStatus.draft: "Draft: trainees do not see it.",
        CaseStatus.published: "Published: trainees see it and it can be assigned.",
        CaseStatus.retired: "Retired: no longer offered; attempts made on it stay viewable.",
    }
    st.markdown(f"**{explained[case.status]}**")
    tz = user.time_zone if user is not None else "UTC"
    for change in case.status_history[-5:]:
        st.caption(md_text(f"{change.status.value} by {change.by}, {local_text(change.at, tz, with_zone=True)}"))
    cols = st.columns(len(MOVES[case.status]) + 1)
    for col, to in zip(cols, MOVES[case.status], strict=False):
        col.button(
            MOVE_LABELS[(case.status, to)],
            key=f"studio_status_{to.value}",
            type="primary" if to == CaseStatus.published else "secondary",
            on_click=_on_status,
            args=(to, file_name),
        )
    st.caption(_("Each change saves the case as it is in the editor, with who made it and when."))


def _on_status(to: CaseStatus, file_name: str) -> None:
    settings = get_settings()
    try:
        text = change_status(st.session_state[_YAML], to, by=st.session_state.get("studio_user", ""))
    except StatusChangeRefused as err:
        if err.blockers:
            lines = "".join(f"\n- {md_text(str(w))}" for w in err.blockers)
            message = f"Not published: the case is not ready yet.{lines}"
        else:
            message = f"Not changed: {md_text(str(err))}"
        st.session_state[_STATUS_NOTE] = ("error", message)
        return
    name = (st.session_state.get(_FILE) or file_name).strip()
    if not _FILE_NAME.match(name):
        st.session_state[_STATUS_NOTE] = ("error", "Not changed: give the case a valid file name first.")
        return
    result = save_case_text(
        settings.scenarios_dir / name, text, data_dir=settings.data_dir, based_on=_opened_version(name)
    )
    if result.conflict:
        message = f"Not changed: someone else changed {name} since you opened it. Open it again, then change it."
        st.session_state[_STATUS_NOTE] = ("error", md_text(message))
        return
    if not result.saved:
        st.session_state[_STATUS_NOTE] = (
            "error",
            "Not changed: the case could not be saved.\n\n" + _bullets(result.problems),
        )
        return
    _set_text(text, name, result.version)
    st.session_state[_STATUS_NOTE] = ("ok", md_text(f"The case is {to.value} now (saved as {name})."))


def _open_draft(path: str) -> None:
    try:
        text, _version = read_for_editing(Path(path))
    except (YamlProblem, OSError) as err:
        st.session_state[_FORM_ERROR] = f"Could not open the draft: {getattr(err, 'message', err)}"
        return
    _set_text(text)


def _lint_box(case, pass_mark: float) -> None:
    """Quick checks on every edit; the checks that grade exemplars with the engine (about a second per
    exemplar on a busy machine) run when asked, and their result is kept for this exact case text."""
    graded: dict = st.session_state.setdefault(_LINT_CACHE, {})
    key = (case.content_hash, pass_mark)
    if st.button(_("Grade the exemplars and the real reply"), key="studio_lint_graded"):
        try:
            grade = engine_grade_fn(services.get_engine())
        except Exception as err:  # the quick checks still stand
            st.error(md_text(f"The grading engine is not available ({type(err).__name__}: {err})."))
        else:
            with st.spinner(_("Grading the exemplars…")):
                graded.clear()  # one case at a time
                graded[key] = lint_case(case, grade, pass_mark=pass_mark)
    warnings = graded.get(key)
    if warnings is None:
        warnings = lint_case(case, None, pass_mark=pass_mark)
        st.caption(_("Exemplars not graded yet for this version of the case."))
    st.subheader(f"Lint ({len(warnings)})")
    if not warnings:
        st.success(_("No lint warnings."))
    for w in warnings:
        st.warning(f"**{md_text(w.where)}** — {md_text(w.message)}")


def _preview_and_try(case, pass_mark: float) -> None:
    st.subheader(_("Preview and try a reply"))
    lang = st.radio(_("Language"), list(case.languages), horizontal=True, key="studio_lang")
    single = case.localized(lang)
    preview, trial = st.columns(2, gap="large")
    with preview:
        st.caption(_("As trainees see it"))
        st.html(post_html(single, seconds_since_posted=180))
    with trial:
        handling = st.selectbox(
            _("Handling"),
            [h.value for h in Handling],
            # keyed by case and expected handling: another case (or a changed expectation) starts from its own
            key=f"studio_try_handling_{case.id}_{single.expected_handling.value}",
            format_func=lambda v: HANDLING_LABELS[Handling(v)],
            index=[h.value for h in Handling].index(single.expected_handling.value),
        )
        reply = st.text_area(_("Your reply to try"), key="studio_try_reply")
        if st.button(_("Grade this reply"), key="studio_try"):
            if not reply.strip() and handling != Handling.no_reply.value:
                st.error(_("Write a reply to grade."))
                return
            grade = services.get_engine().grade(single, reply.strip(), handling=handling, pass_mark=pass_mark)
            data = grade.to_dict()
            st.html(overall_html(grade.score, grade.passed, pass_mark))
            st.html(principle_bars_html(data, principle_title))
            st.html(highlight_html(reply.strip(), spans_from_grade(data, len(reply.strip())), principle_title))
            st.html(legend_html())
