"""The command line: typer apps that translate between a person and the services."""
