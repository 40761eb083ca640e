"""Index engines: where articles are stored and searched.

``engine.whoosh`` is the embedded default: everything that imports Whoosh
lives there.  ``engine.solr`` keeps the index in a SolrCloud collection
(``--engine solr --solr URL``), for archives beyond one machine.
"""
