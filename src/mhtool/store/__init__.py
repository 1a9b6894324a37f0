"""The only layer that speaks SQL: opening the file, migrations and queries."""
