"""Search: text analysis, embedders, lexical and vector indexes, fusion and the hybrid searcher."""
