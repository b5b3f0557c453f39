"""Importers of real export formats: each `Source` turns one file into `Patent` records."""
