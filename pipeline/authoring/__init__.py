"""For template authors: what a template may use, and whether it does so correctly.

- `contract.py`: the context variables a template uses, read the way docxtpl reads it;
- `template_check.py`: `pipeline templates check`, every mistake with its place;
- `preview.py`: `pipeline templates preview`, a template filled with an example plan.

Imports the foundation, `pipeline.model`, `pipeline.inputs`, `pipeline.checks` and
`pipeline.documents`.
"""
