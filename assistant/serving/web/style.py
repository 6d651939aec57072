"""The page's CSS, and the script behind citation links and copy buttons."""

CSS = """
#sources { max-height: 680px; overflow-y: auto; overscroll-behavior: contain; }
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
.muted { color: var(--body-text-color-subdued); }
.notice { background: #fef9c3; border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.match { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.match h4 { margin: 0 0 6px 0; } .match div { margin: 3px 0; line-height: 1.6; }
.term { background: #e0e7ff; border-radius: 4px; padding: 0 4px; margin-right: 3px; }
.outline h3 { margin-top: 14px; } .outline details { margin: 4px 0 4px 12px; }
.dept { background: #f1f5f9; border-radius: 4px; padding: 0 5px; margin-left: 4px; font-size: .88em; }
.dept.lead { background: #dbeafe; font-weight: 600; }
a.cite { text-decoration: none; font-weight: 600; }
"""
# Citation links scroll the source panel (retrying while the panel re-renders); copy buttons copy the reference.
HEAD = """<script>
function policyCopy(btn) {
  const text = btn.dataset.ref, done = () => { btn.textContent = '已复制'; setTimeout(() => btn.textContent = '复制引用', 1500); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); return; }
  const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
  document.execCommand('copy'); t.remove(); done();
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a.cite'); if (!a) return;
  e.preventDefault(); const id = a.getAttribute('href').slice(1); let tries = 0;
  const go = () => { const el = document.getElementById(id);
    if (el) { const panel = el.closest('#sources');  // scroll the panel only: the page itself never moves
      if (panel) panel.scrollTo({top: panel.scrollTop + el.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8, behavior: 'smooth'});
      el.classList.add('flash'); setTimeout(() => el.classList.remove('flash'), 1500); }
    else if (tries++ < 20) setTimeout(go, 150); };
  go();
}, true);
</script>"""
