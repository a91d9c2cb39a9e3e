"""Edges to a live PostgreSQL (psycopg 3): connect, inspect (catalog -> Model), apply (Plan -> SQL).

No mapping or comparison logic here: that is diff.py (pure); these modules only do I/O.
"""
