"""Rendering shared by every app: PDF (and later DOCX). Holds no domain data of its own."""
