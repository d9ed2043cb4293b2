"""Lazy component registries: a frozen manifest per kind, entry points for third parties.

A component is registered by a :class:`ComponentSpec` naming its class as an import
string; the module is imported only when the name is resolved, and the loaded class is
checked against the registry's base. Third-party packages register through the entry-point
group ``emoreason.<kind>`` (e.g. ``emoreason.reasoners``) whose value is ``module:Class``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from emoreason.errors import RegistryError

T = TypeVar("T")


@dataclass(frozen=True)
class ComponentSpec:
    """One registered component."""

    name: str
    target: str  # "package.module:ClassName"
    summary: str = ""
    aliases: tuple[str, ...] = ()
    capabilities: frozenset[str] = field(default_factory=frozenset)


class Registry(Generic[T]):
    """Names → lazily imported classes of one kind."""

    def __init__(self, kind: str, base: type[T] | None = None) -> None:
        """Create an empty registry for components of `kind` (checked against `base`)."""
        self.kind = kind
        self.base = base
        self._specs: dict[str, ComponentSpec] = {}
        self._aliases: dict[str, str] = {}
        self._entry_points_loaded = False

    def register(self, spec: ComponentSpec) -> ComponentSpec:
        """Add `spec`; a name or alias already taken raises :class:`RegistryError`."""
        for key in (spec.name, *spec.aliases):
            if key in self._specs or key in self._aliases:
                raise RegistryError(f"{self.kind} name {key!r} is already registered")
        self._specs[spec.name] = spec
        for alias in spec.aliases:
            self._aliases[alias] = spec.name
        return spec

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"emoreason.{self.kind}"):
            if ep.name not in self._specs:
                self.register(ComponentSpec(name=ep.name, target=ep.value))

    def spec(self, name: str) -> ComponentSpec:
        """The spec registered under `name` or an alias of it."""
        self._load_entry_points()
        key = self._aliases.get(name, name)
        if key not in self._specs:
            raise RegistryError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}"
            )
        return self._specs[key]

    def names(self) -> list[str]:
        """Registered names, sorted."""
        self._load_entry_points()
        return sorted(self._specs)

    def resolve(self, name: str) -> type[T]:
        """Import and return the class registered under `name`."""
        spec = self.spec(name)
        module_name, _, attr = spec.target.partition(":")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise RegistryError(f"{self.kind} {name!r}: cannot import {spec.target}: {exc}") from exc
        if self.base is not None and isinstance(obj, type) and not issubclass(obj, self.base):
            raise RegistryError(f"{self.kind} {name!r}: {spec.target} is not a {self.base.__name__}")
        return obj
