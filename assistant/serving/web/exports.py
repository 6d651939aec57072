"""Downloads of a tab's result: the Markdown and CSV files written once per result, in a folder of their own."""
import uuid
from pathlib import Path

import gradio as gr

HIDDEN = dict(visible=False, value=None)


def export_buttons(prefix: str) -> tuple[gr.DownloadButton, gr.DownloadButton]:
    """The two download buttons, hidden until there is a result."""
    with gr.Row():
        return (gr.DownloadButton("下载 Markdown", visible=False, elem_id=f"{prefix}-md"),
                gr.DownloadButton("下载 CSV", visible=False, elem_id=f"{prefix}-csv"))


def write_exports(exports: Path, name: str, markdown: str, csv_text: str) -> tuple[dict, dict]:
    """`name`.md and `name`.csv (utf-8-sig, so spreadsheet programs read the Chinese) in a fresh folder, as the
    updates that show the two buttons."""
    folder = exports / uuid.uuid4().hex[:12]
    folder.mkdir()
    md, csv_path = folder / f"{name}.md", folder / f"{name}.csv"
    md.write_text(markdown, encoding="utf-8")
    csv_path.write_text(csv_text, encoding="utf-8-sig")
    return gr.update(value=str(md), visible=True), gr.update(value=str(csv_path), visible=True)
