"""pipeline: validate improvement plans and render the official documents."""

__version__ = "0.1.0"
