"""migrate-grants: move Oracle users, roles and privileges to PostgreSQL with exactly the same access."""

__version__ = "0.1.0"
