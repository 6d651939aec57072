"""The small HTML pieces every panel uses: escaping, status and department badges, the copy-reference box."""
from __future__ import annotations

import html
from collections.abc import Sequence


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def status_badge(label: str, in_force: bool) -> str:
    """A document's status; anything not in force is marked stale."""
    return f'<span class="doc-status{"" if in_force else " stale"}">{esc(label)}</span>'


def departments_html(departments: Sequence[str]) -> str:
    """The departments of a clause, the lead one (listed first) marked."""
    return "".join(f'<span class="dept{" lead" if i == 0 else ""}">{esc(d)}</span>' for i, d in enumerate(departments))


def reference_html(reference: str) -> str:
    return (f'<div class="ref"><span>复制引用：</span><code>{esc(reference)}</code>'
            f'<button type="button" data-ref="{esc(reference)}" onclick="policyCopy(this)">复制引用</button></div>')
