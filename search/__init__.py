"""One search box over process instances and CRM records (issue 14): Chinese text segmented with
jieba, matched with SQLite FTS5 in the embedded default and PostgreSQL full-text search (a stored
`tsvector` column over the tokens with a GIN index) otherwise.

    search/tokens.py   jieba segmentation of documents and queries
    search/models.py   `search_doc`: one row per indexed record (kind, id, title, text, tokens)
    search/index.py    what a document holds, and keeping it current in the writer's transaction
                       (SQLAlchemy session events installed by app.wire(): the index changes
                       commit or roll back with the action that changed the record)
    search/query.py    the search use case: match, then keep only what the reader may see

It sits above engine/ and crm/ (it reads both); neither imports it.
"""
