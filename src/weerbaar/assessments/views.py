"""Pages for assessments: working through one, reviewing it, its results, import and export."""

# --- workflow pages

# --- import and export
