"""The report's inline CSS (no external resources)."""

CSS = """
body { font-family: Georgia, 'DejaVu Serif', serif; color: #222; background: #fff;
       margin: 0; line-height: 1.45; }
main { max-width: 1000px; margin: 0 auto; padding: 1.5em 1.2em 3em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin-top: 1.6em; }
.meta, .muted { color: #666; font-size: 0.9em; }
.claim { font-style: italic; }
figure { margin: 1em 0; text-align: center; }
figure img { width: calc(var(--w, 6.8in) * 1.3); max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #444; text-align: left; max-width: 900px;
             margin: 0.3em auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em;
        font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.55em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; }
.pass { color: #0a6b2a; font-weight: bold; }
.fail { color: #b00020; font-weight: bold; }
tr.fail-row td { background: #fff0f0; }
.failures { color: #b00020; font-size: 0.9em; white-space: pre-wrap; }
footer { margin-top: 3em; font-size: 0.9em; }
blockquote.paper-claim { margin: 0.8em 0; padding: 0.4em 0.9em; border-left: 4px solid #4a6fa5;
                         background: #f5f8fc; }
nav ul { list-style: none; padding-left: 0.5em; }
nav ol { font-size: 0.92em; margin: 0.1em 0 0.4em; }
table.reported td { font-family: Georgia, 'DejaVu Serif', serif; }
table.reported td:nth-child(3) { min-width: 16em; }
@media print {
  main { max-width: none; padding: 0; }
  figure img { width: var(--w, 6.8in); }
  figure, table, blockquote { break-inside: avoid; }
  section.paper { break-before: page; }
  .scroll { overflow: visible; }
}
"""
