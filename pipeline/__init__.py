"""pipeline: validate improvement plans and render the official documents.

The subpackages are the stages of a build, in the order data flows through them; each imports
only the stages above it in this list, and the shared foundation (a test keeps it so):

    errors.py, files.py  the foundation: problems, exceptions and exit codes; atomic writes,
                         reproducible zips, the output folder's lock
    model/               what a plan is: the pydantic model, its vocabulary, the JSON Schema,
                         the documents a plan can have
    inputs/              reading inputs: JSON and workbooks, validation, conversion between them
    checks/              completeness and compliance rules, and the profiles that apply them
    documents/           a plan's documents: the template context, draft marks, rendering
    authoring/           for template authors: the template contract, check and preview
    pdf/                 .docx → PDF with LibreOffice, reproducible PDFs, submission packets
    reports/             check reports (text, JSON, markdown, HTML) and the build's dashboard
    batch/               the build: the orchestrator, its workers, incremental state, manifest
    cli.py               the command line, a thin skin over the library
"""

__version__ = "0.1.0"
