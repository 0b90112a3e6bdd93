"""Designer drafts for the designer pages (and the table view): save, read, delete, deploy.

The use cases live in engine/design/drafts.py (they own their transaction and check that the caller is
an admin or process admin, raising core.errors.Forbidden otherwise); this module is the
designer's entry point to them and imports no Flask.
"""
from __future__ import annotations

from engine.design.drafts import (
    check_forms,
    delete_draft,
    deploy_draft,
    form_for_editing,
    get_draft,
    list_drafts,
    load_for_editing,
    process_ids,
    save_draft,
    save_draft_form,
    validate,
)

__all__ = ["check_forms", "delete_draft", "deploy_draft", "form_for_editing", "get_draft", "list_drafts",
           "load_for_editing", "process_ids", "save_draft", "save_draft_form", "validate"]
