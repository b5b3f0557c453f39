"""Domain layer: frozen dataclasses and pure rules (standard library only)."""
