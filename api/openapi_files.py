"""The attachment part of the OpenAPI document (api/routes_files.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import INT, STR, nullable, obj, op, path_param, ref


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
    _contract_file(paths, schemas)


def _contract_file(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """The contract file (issue 15, api/routes_contract_file.py); runs after the CRM part (Contract)."""
    schemas["Contract"]["properties"]["file"] = {
        **nullable(ref("FileRef")), "description": "the contract file; left out when the `attachment` field is "
        "hidden from the caller"}
    put = op("Upload the contract file (multipart part `file`, at most 7 MB), replacing the previous one: who may "
             "change the contract and its `attachment` field", "200", "Contract", "403", "404", "422",
             params=("contract_id",), tag="crm")
    put["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": obj(
        {"file": {"type": "string", "format": "binary"}}, ["file"])}}}
    get = op("Download the contract file: who sees the contract and may view its `attachment` field",
             "200", None, "403", "404", params=("contract_id",), tag="crm")
    get["responses"]["200"]["content"] = {"application/octet-stream": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}
    delete = op("Remove the contract file (it is deleted later): who may change the contract and its `attachment` "
                "field", "204", None, "403", "404", params=("contract_id",), ok_text="Removed", tag="crm")
    paths["/contracts/{contract_id}/file"] = {"put": put, "get": get, "delete": delete}
