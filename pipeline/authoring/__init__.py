"""For template authors: what a template may use, and whether it does so correctly.

- `contract.py`: the context variables a template uses, read the way docxtpl reads it;
- `template_check.py`: `pipeline templates check`, every mistake with its place;
- `template_parts.py`: a template's parts and paragraphs, each with its place, read from the
  package itself (any package docxtpl renders; a file that is not a .docx is refused);
- `preview.py`: `pipeline templates preview`, a template filled with an example plan.

Imports the foundation, `pipeline.model`, `pipeline.inputs`, `pipeline.checks` and
`pipeline.documents`.
"""
