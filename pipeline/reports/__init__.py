"""Check reports, and the dashboard of a build's output folder.

- `formats.py`: a check as text, markdown and JSON (documented in docs/checks.md), and the
  list of rules;
- `html.py`: a plan's `check.html` and the folder's `index.html`, self-contained pages;
- `monitoring.py`: each plan's progress at its latest check-in, as check.json and the
  dashboard show it (`dashboard_script.py`: the dashboard's sorting and filtering, inline);
- `changes.py`: what changed between two revisions, as text, markdown, JSON and HTML;
- `outputs.py`: the reports a build writes beside each plan's documents, and the dashboard.

Imports the foundation, `pipeline.model`, `pipeline.inputs` and `pipeline.checks`.
"""
