"""The attachment part of the OpenAPI document (api/routes_files.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import INT, STR, obj, op, path_param


def add(paths: dict[str, Any], schemas: dict[str, Any], parameters: dict[str, Any]) -> None:
    schemas["FileRef"] = obj({"id": STR, "name": STR, "size": INT,
                              "sha256": {**STR, "description": "SHA-256 of the content, hex"},
                              "content_type": STR}, ["id", "name", "size", "sha256", "content_type"])
    parameters["file_id"] = path_param("file_id", STR, "stored file id")
    upload = op("Upload a file (multipart part `file`, at most 7 MB) for a form's file field; the answer is the "
                "reference the field holds. Unreferenced uploads are deleted after a day", "201", "FileRef", "422",
                tag="files")
    upload["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": obj(
        {"file": {"type": "string", "format": "binary"}}, ["file"])}}}
    paths["/files"] = {"post": upload}
    download = op("Download a file: readers of its instance who may see its field (an unsubmitted upload: its "
                  "uploader). Images and PDFs are sent inline unless ?download=1", "200", None, "403", "404",
                  params=("file_id",), tag="files")
    download["responses"]["200"]["content"] = {"application/octet-stream": {"schema": {"type": "string",
                                                                                      "format": "binary"}}}
    paths["/files/{file_id}"] = {"get": download}
