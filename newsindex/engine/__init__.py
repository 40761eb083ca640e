"""Index engines: where articles are stored and searched.

``engine.whoosh`` is the only engine so far: everything that imports Whoosh
lives there.
"""
