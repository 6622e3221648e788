"""What a plan is: the one canonical definition every other stage derives from.

- `plan.py`: the pydantic models of a plan (ids, references, every section);
- `vocabulary.py`: the closed lists, each value with the label documents show;
- `schema.py`: the published JSON Schema, generated from the models;
- `documents.py`: the documents a plan can have, their templates and titles.

Imports only the foundation (`pipeline.errors`, `pipeline.files`).
"""
