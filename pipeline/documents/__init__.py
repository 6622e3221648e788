"""A plan's documents, stage 4 of a build: what the templates see, and rendering them.

- `context.py`: the template context, derived from the plan model;
- `draft.py`: what an incomplete plan's documents show: the DRAFT marks, each missing element
  in place, the crosswalk; and the refusal of a draft that would look final;
- `filters.py`: the filters templates may use (dates, percentages, money, lists);
- `render.py`: the fast, sandboxed docxtpl rendering of one template;
- `rendered_xml.py`: docxtpl's work on a rendered part, done only where it changes something;
- `limits.py`: the bounds of a render (text, widths, lists, output size) and the refusal of
  a template file that is not a Word document;
- `plan_documents.py`: which documents a plan has, each rendered in memory.

Imports the foundation, `pipeline.model`, `pipeline.inputs` and `pipeline.checks`.
"""
