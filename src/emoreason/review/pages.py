"""HTML of the review page: plain f-strings, every stored or user string through :func:`html.escape`.

No script and no external asset: the page works with the CSP ``default-src 'self'; script-src 'none'``.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from emoreason.annotation.records import AnnotationRecord
from emoreason.review.db import SCORES

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#243447;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#cfe3ff}main{max-width:1100px;margin:1em auto;padding:0 1em}
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.8em 1.1em;margin:.8em 0}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e8ec;padding:.3em .5em;text-align:left}
.flag{color:#a4161a;font-weight:600}.ok{color:#2b7a0b}.muted{color:#6b7785}
.timeline{position:relative;background:#f0f3f6;border-radius:4px;margin:.2em 0 .6em 5.5em;height:22px}
.row{position:relative}.row>span.m{position:absolute;left:0;top:2px;width:5em;font-size:12px;color:#4a5563}
.clue{position:absolute;top:3px;height:16px;border-radius:3px;opacity:.75;min-width:3px}
.face{background:#2f80ed}.voice{background:#eb5757}.text{background:#27ae60}.scene{background:#9b51e0}
.body{background:#f2994a}.cols{display:flex;gap:1em}.cols>div{flex:1}
textarea{width:100%;min-height:7em;font:inherit}video,img.peak{max-width:100%;border-radius:4px}
button{padding:.35em 1em;margin-top:.4em}.desc{white-space:pre-wrap}
"""


def layout(title: str, body: str, who: str | None = None) -> str:
    """A full page."""
    nav = ""
    if who:
        nav = (f'<a href="/">clips</a><a href="/agreement">agreement</a><a href="/export/ratings.csv">ratings.csv</a>'
               f'<a href="/export/ratings.json">ratings.json</a><span class="muted">signed in as '
               f'<b id="who">{escape(who)}</b></span><form method="post" action="/logout" style="margin:0">'
               '<button>log out</button></form>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_CSS}</style></head>'
            f'<body><header><b>emoreason review</b>{nav}</header><main>{body}</main></body></html>')


def login_page(error: str = "") -> str:
    """The login form (shown with 401 to unauthenticated browsers)."""
    note = f'<p class="flag" id="login-error">{escape(error)}</p>' if error else ""
    body = ('<section><h2>Sign in</h2><p>Enter your annotator token (from the tokens file).</p>'
            f'{note}<form method="post" action="/login"><input type="password" name="token" id="token" '
            'autocomplete="current-password" required> <button id="login">sign in</button></form></section>')
    return layout("sign in", body)


def clip_url(key: str) -> str:
    """URL of a clip page."""
    return f"/clip/{quote(key)}"


def index_page(rows: list[tuple[str, AnnotationRecord, int, int | None]], who: str) -> str:
    """The clip list: (url key, record, ratings so far, my rating)."""
    lines = []
    for key, rec, n, mine in rows:
        cls = "flag" if rec.status.value != "ok" else "ok"
        lines.append(f'<tr><td><a href="{clip_url(key)}">{escape(rec.id)}</a></td><td class="{cls}">'
                     f'{escape(rec.status.value)}</td><td>{escape(rec.label or "")}</td><td>{n}</td>'
                     f'<td>{mine if mine is not None else "–"}</td></tr>')
    body = ('<section><h2>Clips</h2><table><tr><th>clip</th><th>status</th><th>label</th><th>ratings</th>'
            f'<th>your rating</th></tr>{"".join(lines)}</table></section>')
    return layout("clips", body, who)


def _timeline(rec: AnnotationRecord) -> str:
    duration = max(rec.duration, max((c.end for c in rec.clues), default=0.0), 0.1)
    rows = []
    for modality in ("face", "voice", "text", "scene", "body"):
        clues = [c for c in rec.clues if c.modality == modality]
        if not clues:
            continue
        spans = "".join(
            f'<span class="clue {modality}" title="{escape(f"{c.start:.1f}–{c.end:.1f} s: {c.description}")}" '
            f'style="left:{100 * c.start / duration:.2f}%;width:{max(100 * (c.end - c.start) / duration, 0.4):.2f}%">'
            "</span>" for c in clues)
        rows.append(f'<div class="row"><span class="m">{modality}</span><div class="timeline">{spans}</div></div>')
    listing = "".join(f"<li>{c.start:.1f}–{c.end:.1f} s · {escape(c.modality)} · {escape(c.description)}</li>"
                      for c in sorted(rec.clues, key=lambda c: -c.strength)[:12])
    return (f'<section id="timeline"><h3>Clue timeline (0–{duration:.1f} s)</h3>{"".join(rows) or "no clues"}'
            f'<details><summary>strongest clues</summary><ul>{listing}</ul></details></section>')


def _media(rec: AnnotationRecord) -> str:
    parts = []
    if rec.media:
        parts.append(f'<video id="player" controls preload="metadata" src="/media/{quote(rec.media)}"></video>')
    if rec.peak_frame:
        parts.append(f'<figure><img class="peak" alt="peak frame" src="/media/{quote(rec.peak_frame)}">'
                     f'<figcaption>peak frame {rec.peak_index} ({rec.peak_time or 0:.1f} s): '
                     f'{escape(", ".join(rec.peak_au_list))}</figcaption></figure>')
    return "".join(parts) or '<p class="muted">no media in the dataset</p>'


def _facts(rec: AnnotationRecord) -> str:
    flags = "".join(f'<li class="flag">{escape(c.kind)}: {escape(c.detail)}</li>' for c in rec.contradictions)
    missing = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in rec.missing.items())
    return (f'<table><tr><th>status</th><td id="status">{escape(rec.status.value)}</td></tr>'
            f'<tr><th>label</th><td>{escape(rec.label or "")} (AU rule: {escape(rec.pseudo_label or "none")})</td></tr>'
            f'<tr><th>AUs at peak</th><td>{escape(", ".join(rec.peak_au_phrases))}</td></tr>'
            f'<tr><th>tone</th><td>{escape(rec.audio_tone or "(not read)")}</td></tr>'
            f'<tr><th>transcript</th><td>{escape(rec.transcript or "(none)")}</td></tr>'
            f'<tr><th>scene</th><td>{escape(rec.scene or "(not read)")}</td></tr></table>'
            + (f"<h4>Contradictions</h4><ul>{flags}</ul>" if flags else "")
            + (f"<h4>Not read</h4><ul>{missing}</ul>" if missing else ""))


def clip_page(rec: AnnotationRecord, key: str, view: dict[str, Any], who: str, csrf: str) -> str:
    """One clip: media, timeline, description, rating, preference, edit and history.

    `view` holds ``description``, ``edit_id``, ``alternative`` (the second description),
    ``history``, ``ratings``, ``preferences``, ``mine`` (my last rating), ``message``, ``prev``, ``next``.
    """
    token = f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
    action = clip_url(key)
    radios = "".join(f'<label><input type="radio" name="score" value="{s}" id="score-{s}" required'
                     f'{" checked" if view["mine"] == s else ""}> {s} · {escape(t)}</label><br>'
                     for s, t in SCORES.items())
    history = "".join(
        f'<li>{escape(h["created"])} · <b>{escape(h["annotator"])}</b>'
        f'{" · <span class=flag>conflict</span>" if h["conflict"] else ""}'
        f'<div class="desc">{escape(h["text"])}</div></li>'
        for h in view["history"])
    ratings = ", ".join(f'{escape(r["annotator"])}: {r["score"]}' for r in view["ratings"]) or "none yet"
    message = f'<p class="ok" id="message">{escape(view["message"])}</p>' if view.get("message") else ""
    nav = "".join(f'<a id="{name}" href="{clip_url(k)}">{name}</a> ' for name, k in
                  (("prev", view.get("prev")), ("next", view.get("next"))) if k)
    body = f"""
<h2 id="clip-id">{escape(rec.id)}</h2>{nav}{message}
<div class="cols"><div><section>{_media(rec)}</section></div><div><section>{_facts(rec)}</section></div></div>
{_timeline(rec)}
<section><h3>Description</h3><p class="desc" id="description">{escape(view["description"])}</p>
<p class="muted">writer: {escape(rec.writer)} · ratings: <span id="ratings">{ratings}</span></p></section>
<section><h3>Plausibility (EMER, 1–4)</h3><form method="post" action="{action}/rate" id="rate-form">{token}
{radios}<button id="rate">save rating</button></form></section>
<section><h3>Which description is better?</h3><div class="cols">
<div><h4>A</h4><p class="desc" id="desc-a">{escape(view["description"])}</p></div>
<div><h4>B</h4><p class="desc" id="desc-b">{escape(view["alternative"])}</p></div></div>
<form method="post" action="{action}/prefer" id="prefer-form">{token}
<label><input type="radio" name="choice" value="left" id="prefer-left" required> A</label>
<label><input type="radio" name="choice" value="right" id="prefer-right"> B</label>
<label><input type="radio" name="choice" value="tie" id="prefer-tie"> equal</label>
<button id="prefer">save preference</button></form></section>
<section><h3>Edit the description</h3><form method="post" action="{action}/edit" id="edit-form">{token}
<input type="hidden" name="base_id" value="{view["edit_id"] if view["edit_id"] is not None else ""}">
<textarea name="text" id="edit-text" maxlength="20000">{escape(view["description"])}</textarea>
<button id="save-edit">save edit</button></form>
<h4>History</h4><ol id="history">{history or "<li class=muted>no edits</li>"}</ol></section>"""
    return layout(rec.id, body, who)


def agreement_page(report: dict[str, Any], stats: dict[str, Any], who: str) -> str:
    """Inter-rater agreement and per-annotator counts."""
    def fmt(v: object, digits: int = 3) -> str:
        return "–" if v is None else f"{v:.{digits}f}" if isinstance(v, float) else escape(str(v))

    people = "".join(
        f'<tr><td>{escape(n)}</td><td>{s["ratings"]}</td><td>{fmt(s["mean_rating"], 2)}</td>'
        f'<td>{s["preferences"]}</td><td>{s["edits"]}</td></tr>' for n, s in sorted(stats["annotators"].items()))

    pairs = "".join(f'<tr><td>{escape(p)}</td><td>{v["items"]}</td><td>{fmt(v["kappa"])}</td>'
                    f'<td>{fmt(v["kappa_linear"])}</td></tr>' for p, v in report.get("cohen_kappa_pairs", {}).items())
    body = (f'<section><h2>Agreement on plausibility ratings</h2><table id="agreement">'
            f'<tr><th>raters</th><td>{fmt(report.get("raters"))}</td></tr>'
            f'<tr><th>clips rated by ≥ 2</th><td>{fmt(report.get("units_with_2_ratings"))}</td></tr>'
            f'<tr><th>Krippendorff α (ordinal)</th><td id="alpha-ordinal">'
            f'{fmt(report.get("krippendorff_alpha_ordinal"))}</td></tr><tr><th>Krippendorff α (interval)</th>'
            f'<td>{fmt(report.get("krippendorff_alpha_interval"))}</td></tr></table>'
            f'<h3>Cohen κ per pair</h3><table><tr><th>pair</th><th>clips</th><th>κ</th>'
            f'<th>κ (linear)</th></tr>{pairs}</table></section><section><h3>Annotators</h3><table><tr><th>name</th>'
            f'<th>ratings</th><th>mean</th><th>preferences</th><th>edits</th></tr>{people}</table></section>')
    return layout("agreement", body, who)
