"""The prompt editor: live risk underlines, hover explanations, quick fixes, findings list."""

from workbench.ui.editor.highlighter import RiskHighlighter
from workbench.ui.editor.prompt_editor import PromptEditor

__all__ = ["PromptEditor", "RiskHighlighter"]
