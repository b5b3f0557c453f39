"""tsunagu (つなぐ): patent information turned into new business for Japanese SMEs."""

__version__ = "0.1.0"
