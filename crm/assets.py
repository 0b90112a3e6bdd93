"""Fixed assets (资产): the register and the moves the asset processes make (bpmn/library/
asset_request.bpmn, asset_return.bpmn). Every move locks the asset row and checks the state it
expects, so two requests never get the same asset:

    in_stock --reserve--> reserved --hand_out--> issued (领用) | borrowed (借用)
    reserved --release--> in_stock                 (request rejected or withdrawn)
    issued | borrowed --take_back--> in_stock       (归还, accepted by the asset keeper)

Refusals raise ValidationFailed naming the form field (`asset_id`), so a start answers 422 on it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Msg, ValidationFailed
from crm.office_models import Asset
from db.session import lock_for_update

KINDS = {"issue": "issued", "borrow": "borrowed"}  # 领用 / 借用 -> the asset's status


def create(s: Session, tag: str, name: str, category: str | None = None, actor_id: int | None = None) -> Asset:
    missing = {k: Msg("required", "is required") for k, v in (("tag", tag), ("name", name)) if not v}
    if missing:
        raise ValidationFailed("an asset needs a tag and a name", missing)
    if s.scalar(select(Asset.id).where(Asset.tag == tag)) is not None:
        taken = Msg("asset_tag_taken", f"{tag} is already used", key=tag)
        raise ValidationFailed(f"asset {tag} exists", {"tag": taken})
    asset = Asset(tag=tag, name=name, category=category, status="in_stock", created_by_id=actor_id)
    s.add(asset)
    s.flush()
    return asset


def _locked(s: Session, asset_id: Any) -> Asset:
    asset = None
    if isinstance(asset_id, int) and not isinstance(asset_id, bool):
        asset = s.scalars(lock_for_update(select(Asset).where(Asset.id == asset_id), s)
                          .execution_options(populate_existing=True)).first()
    if asset is None:
        raise ValidationFailed(f"no asset {asset_id!r}", {"asset_id": "no such asset"})
    return asset


def describe(asset: Asset) -> dict[str, Any]:
    return {"asset_id": asset.id, "tag": asset.tag, "name": asset.name, "status": asset.status,
            "holder_id": asset.holder_id, "due_back": asset.due_back.isoformat() if asset.due_back else None}


def reserve(s: Session, asset_id: Any, instance_id: int) -> dict[str, Any]:
    """Hold an in-stock asset for a request (refused when it is not in stock)."""
    asset = _locked(s, asset_id)
    if asset.status != "in_stock":
        raise ValidationFailed(f"asset {asset.tag} is {asset.status}", {"asset_id": "is not in stock"})
    asset.status, asset.instance_id = "reserved", instance_id
    s.flush()
    return describe(asset)


def release(s: Session, asset_id: Any, instance_id: int) -> dict[str, Any]:
    """A rejected or withdrawn request gives its reserved asset back to stock."""
    asset = _locked(s, asset_id)
    if asset.status != "reserved" or asset.instance_id != instance_id:
        raise Conflict(f"asset {asset.tag} is not reserved by this request", {"asset_id": asset.status})
    asset.status, asset.instance_id = "in_stock", None
    s.flush()
    return describe(asset)


def _due(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def hand_out(s: Session, asset_id: Any, holder_id: int, kind: Any, due_back: Any, instance_id: int) -> dict[str, Any]:
    """The keeper hands the reserved asset to the requester: issued (领用) or borrowed (借用, until due_back)."""
    if kind not in KINDS:
        raise ValidationFailed(f"unknown request kind {kind!r}", {"kind": ", ".join(KINDS)})
    asset = _locked(s, asset_id)
    if asset.status != "reserved" or asset.instance_id != instance_id:
        raise Conflict(f"asset {asset.tag} is not reserved by this request", {"asset_id": asset.status})
    asset.status, asset.holder_id = KINDS[kind], holder_id
    asset.due_back = _due(due_back) if kind == "borrow" else None
    s.flush()
    return describe(asset)


def check_return(s: Session, asset_id: Any, user_id: int) -> dict[str, Any]:
    """Only the holder of an issued or borrowed asset returns it (nothing changes)."""
    asset = _locked(s, asset_id)
    if asset.status not in ("issued", "borrowed") or asset.holder_id != user_id:
        raise ValidationFailed(f"asset {asset.tag} is not held by you", {"asset_id": "not held by you"})
    return describe(asset)


def take_back(s: Session, asset_id: Any, user_id: int) -> dict[str, Any]:
    """The keeper accepted the return: back in stock, no holder."""
    asset = _locked(s, asset_id)
    if asset.status not in ("issued", "borrowed") or asset.holder_id != user_id:
        raise Conflict(f"asset {asset.tag} is no longer held by the requester", {"asset_id": asset.status})
    asset.status, asset.holder_id, asset.due_back, asset.instance_id = "in_stock", None, None, None
    s.flush()
    return describe(asset)


def in_stock(s: Session) -> Any:
    """Picker query: (id, name, tag) of the assets one may request."""
    return select(Asset.id, Asset.name, Asset.tag).where(Asset.status == "in_stock").order_by(Asset.tag)


def held_by(s: Session, user_id: int) -> Any:
    """Picker query: (id, name, tag) of the assets the user holds."""
    return (select(Asset.id, Asset.name, Asset.tag)
            .where(Asset.holder_id == user_id, Asset.status.in_(("issued", "borrowed"))).order_by(Asset.tag))
