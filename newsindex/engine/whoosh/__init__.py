"""The Whoosh engine: schema and opening (``store``), analysis, the fast
segment writer (``segment``, ``segment_format``, ``segment_files``), flat
matchers for AND/OR of words (``matching``) and relevance feedback
(``feedback``).
"""
