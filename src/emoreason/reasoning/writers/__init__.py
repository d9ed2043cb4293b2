"""Explanation writers: the deterministic template and the language-model writers."""

from emoreason.reasoning.writers.template import TemplateReasoner, write_template

__all__ = ["TemplateReasoner", "write_template"]
