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
figure img { width: 100%; max-width: 900px; height: auto; }
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
"""
