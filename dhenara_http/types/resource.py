"""Queries for ``ResourceConfig.get_resource``: dhenara-ai's :class:`ResourceConfigItem`.

An item names a kind of resource (``ai_model_endpoint``) and a query over the fields that kind allows
(:class:`ResourceQueryMapping`): ``model_name``, ``model_display_name``, ``api_provider`` and ``reference_number``.
``ResourceConfigItem.with_models([...])`` makes one item per model name, the first marked as the default.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from .enums import ResourceConfigItemTypeEnum, ResourceQueryFieldsEnum

_F = ResourceQueryFieldsEnum


class ResourceQueryMapping:
    """The query fields each resource kind allows."""

    MAPPINGS: ClassVar[dict[ResourceConfigItemTypeEnum, list[ResourceQueryFieldsEnum]]] = {
        ResourceConfigItemTypeEnum.ai_model_endpoint: [
            _F.model_name,
            _F.model_display_name,
            _F.api_provider,
            _F.reference_number,
        ],
    }

    @classmethod
    def get_allowed_fields(cls, resource_type: ResourceConfigItemTypeEnum) -> list[str]:
        return [f.value for f in cls.MAPPINGS.get(resource_type, [])]


class ResourceConfigItem(BaseModel):
    """A resource asked for by kind and query (``{"model_name": "gpt-4o"}``); ``is_default`` marks the default one
    of a list."""

    item_type: ResourceConfigItemTypeEnum
    query: dict[str, Any] | None = None
    is_default: bool = False

    @field_validator("query", mode="before")
    @classmethod
    def _plain_keys(cls, value: Any) -> Any:
        # Keys given as ResourceQueryFieldsEnum members are stored by their value.
        if isinstance(value, dict):
            return {(k.value if isinstance(k, ResourceQueryFieldsEnum) else k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> ResourceConfigItem:
        allowed = ResourceQueryMapping.get_allowed_fields(self.item_type)
        unknown = sorted(set(self.query or {}) - set(allowed))
        if unknown:
            raise ConfigurationError(
                f"ResourceConfigItem({self.item_type.value}): unsupported query key(s) {unknown}; "
                f"use {', '.join(allowed) or 'none'}"
            )
        return self

    def is_same_as(self, other: ResourceConfigItem) -> bool:
        return self.item_type == other.item_type and bool(self.query) and self.query == other.query

    @classmethod
    def with_model(cls, model_name: str) -> list[ResourceConfigItem]:
        return cls.with_models([model_name])

    @classmethod
    def with_models(cls, model_names: list[str]) -> list[ResourceConfigItem]:
        """One ``ai_model_endpoint`` item per model name, the first the default."""
        return [
            cls(
                item_type=ResourceConfigItemTypeEnum.ai_model_endpoint,
                query={_F.model_name.value: name},
                is_default=i == 0,
            )
            for i, name in enumerate(model_names)
        ]

    @classmethod
    def get_model_names(cls, resources: list[ResourceConfigItem]) -> list[str]:
        """The model names of ``ai_model_endpoint`` items (the reverse of :meth:`with_models`)."""
        return [
            r.query[_F.model_name.value]
            for r in resources
            if r.item_type == ResourceConfigItemTypeEnum.ai_model_endpoint
            and r.query
            and _F.model_name.value in r.query
        ]

    @classmethod
    def has_model(cls, resources: list[ResourceConfigItem], model_name: str) -> bool:
        return model_name in cls.get_model_names(resources)
