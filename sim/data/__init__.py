"""Public data shipped with multilat (sources and licences in SOURCES.md)."""
