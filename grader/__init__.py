"""airclass: the 空中课堂 platform package (catalog, roster, grading pipeline, hub wiring)."""

__version__ = "0.1.0"
