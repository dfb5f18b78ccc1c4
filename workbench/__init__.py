"""Prompt Workbench: write gpt-image prompts that pass, and keep the evidence when they don't."""

__version__ = "0.1.0"
