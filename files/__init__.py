"""Attachments (issue 14): uploaded files and drawn signatures, stored outside the database.

`files/storage.py` is the one small interface to where the bytes live (`LocalStorage`: a folder
under the instance path; an S3-compatible store implements the same four methods); `files/models.py`
the `stored_file` row (name, size, SHA-256, content type, who uploaded it, and — once a submitted
form or a vote refers to it — the instance, field and task it belongs to); `files/service.py` the
upload, the reference a form holds and the purge of uploads nobody referred to within a day.
Below the engine: it imports only core/ and db/, the engine binds files to instances.
"""
