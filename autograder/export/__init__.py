"""Exporters: the one result model written to each platform's format."""
