"""Search: the index schema and ranking (``schema``), documents (``documents``), the outbox
writer (``outbox``), rebuilds (``reindex``), the query (``query``), the Meilisearch client
(``client``, the ``meilisearch`` package) and the managed Meilisearch process (``server``)."""
