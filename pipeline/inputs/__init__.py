"""Reading inputs, stages 1 and 2 of a build: load a file into plain data, validate it into a
plan, and make inputs (a blank form, a plan converted between JSON and workbook).

- `source.py`: an input's data as read, with a way to name places inside it;
- `load.py`: finding input files and reading JSON (workbooks through `workbook/`);
- `workbook/`: Excel workbooks, read and written with the same layout;
- `integrity.py`: what the JSON Schema cannot express (unique ids, references, dependent values);
- `validate.py`: schema and integrity checks, then the plan model;
- `read.py`: reading inputs as every command reads them (`validate`, `check`, `build`);
- `interchange.py`: `pipeline init` and `pipeline convert`.

Imports the foundation and `pipeline.model`.
"""
