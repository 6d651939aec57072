"""The page's CSS, and the script behind citation links and copy buttons."""

# Gradio puts `overflow: visible` in a block's own style and `overflow: hidden` on the page container: the source
# panel scrolls only with !important, and the container clips (no scroll box of its own) so that the 来源 column
# can stick to the top of the window while the page scrolls. The chat's label is taken out of the scrolled area.
CSS = """
.gradio-container { overflow: clip !important; }
#sources-column { position: sticky; top: 8px; align-self: flex-start; }
#sources { max-height: calc(100vh - 80px); overflow-y: auto !important; }
#intro p { margin: 0; }
#filter-active:not(:has(.filter-line)) { display: none; }
#library-line .html-container { padding: 0; }
.library-line { color: var(--body-text-color-subdued); font-size: .92em; }
#chat .wrapper { display: flex; flex-direction: column; }
#chat .wrapper > label[data-testid="block-label"] { position: static; align-self: flex-start; margin: 6px 0 2px 6px; }
#chat .bubble-wrap { flex: 1 1 auto; min-height: 0; height: auto; }
#kb-message { min-height: 76px; }
.filter-line { background: #e0f2fe; border-left: 4px solid #0284c7; border-radius: 6px; padding: 4px 10px; font-size: .92em; }
.banner { background: #fef3c7; border-left: 4px solid #f59e0b; border-radius: 6px; padding: 6px 10px; margin-bottom: 6px; }
.doc-status { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: .88em; background: #dcfce7; margin-left: 4px; }
.doc-status.stale { background: #fee2e2; }
.src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.src.flash { box-shadow: 0 0 0 3px #f59e0b; }
.src-n { font-size: 1.05em; margin-bottom: 4px; }
.src-doc, .src-path, .src-dept { color: var(--body-text-color-subdued); font-size: .92em; margin: 2px 0; }
.src-text { margin: 6px 0; line-height: 1.7; white-space: pre-wrap; }
.src-text mark, .m-why mark { background: #fde68a; color: inherit; padding: 0 1px; }
.ref { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: .9em; margin-top: 4px; }
.ref code { white-space: normal; }
.ref button { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 1px 8px; cursor: pointer; }
.status { display: inline-block; border-radius: 10px; padding: 1px 10px; font-size: .9em; background: #e0f2fe; }
.status-verified { background: #dcfce7; } .status-partial { background: #fef3c7; } .status-refused { background: #fee2e2; }
.status-not_stated { background: #e0e7ff; } .status-eligibility { background: #dcfce7; }
.muted { color: var(--body-text-color-subdued); }
.notice { background: #fef9c3; border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.match { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.match h4 { margin: 0 0 6px 0; } .match div { margin: 3px 0; line-height: 1.6; }
.term { background: #e0e7ff; border-radius: 4px; padding: 0 4px; margin-right: 3px; }
.outline h3 { margin-top: 14px; } .outline details { margin: 4px 0 4px 12px; }
.dept { background: #f1f5f9; border-radius: 4px; padding: 0 5px; margin-left: 4px; font-size: .88em; }
.dept.lead { background: #dbeafe; font-weight: 600; }
a.cite { text-decoration: none; font-weight: 600; }
#el-sources-column { position: sticky; top: 8px; align-self: flex-start; }
#el-sources { max-height: calc(100vh - 80px); overflow-y: auto !important; }
.el-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.el-card h4 { margin: 0 0 4px 0; } .el-card > div { margin: 3px 0; line-height: 1.6; }
.el-verdict { border-radius: 10px; padding: 1px 10px; font-size: .9em; }
.el-yes { background: #dcfce7; } .el-no { background: #fee2e2; } .el-maybe { background: #fef3c7; }
table.el-conds { width: 100%; border-collapse: collapse; margin: 6px 0; font-size: .93em; }
table.el-conds th, table.el-conds td { border-bottom: 1px solid var(--border-color-primary); padding: 4px 6px; text-align: left; vertical-align: top; }
tr.el-met td:first-child { border-left: 4px solid #16a34a; } tr.el-failed td:first-child { border-left: 4px solid #dc2626; }
tr.el-unknown td:first-child { border-left: 4px solid #f59e0b; }
tr.el-met .el-badge { color: #15803d; } tr.el-failed .el-badge { color: #b91c1c; font-weight: 600; } tr.el-unknown .el-badge { color: #b45309; }
a.el-cond { color: inherit; text-decoration: underline dotted; }
table.el-conds td:first-child, table.el-conds th:first-child { white-space: nowrap; }
"""
# Citation links scroll the source panel (retrying while the panel re-renders), and the page only as far as needed
# to show the card (a short window, or the panel scrolled out of view); copy buttons copy the reference.
HEAD = """<script>
function policyCopy(btn) {
  const text = btn.dataset.ref, done = () => { btn.textContent = '已复制'; setTimeout(() => btn.textContent = '复制引用', 1500); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); return; }
  const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
  document.execCommand('copy'); t.remove(); done();
}
function policyShow(panel, el) {
  const p = panel.getBoundingClientRect(), offset = panel.scrollTop + el.getBoundingClientRect().top - p.top;
  const target = Math.max(0, Math.min(offset - 8, panel.scrollHeight - panel.clientHeight));
  panel.scrollTo({top: target, behavior: 'smooth'});
  const top = p.top + offset - target, bottom = top + el.offsetHeight;  // where the card lands in the window
  const shift = top < 8 ? top - 8 : Math.min(Math.max(0, bottom - window.innerHeight + 8), top - 8);
  if (shift) window.scrollBy({top: shift, behavior: "smooth"});  // only when it lands out of the window
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a.cite, a.el-cond'); if (!a) return;
  e.preventDefault(); const id = a.getAttribute('href').slice(1); let tries = 0;
  const go = () => { const el = document.getElementById(id);
    if (el) { const panel = el.closest('#sources, #el-sources');
      if (panel) policyShow(panel, el);
      el.classList.add('flash'); setTimeout(() => el.classList.remove('flash'), 1500); }
    else if (tries++ < 20) setTimeout(go, 150); };
  go();
}, true);
</script>"""
