"""Use cases over the storage and retrieval protocols; they never read settings or the environment."""
