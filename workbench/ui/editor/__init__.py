"""The prompt editor: live risk underlines, hover explanations, quick fixes, findings list."""

from workbench.ui.editor.prompt_editor import PromptEditor
from workbench.ui.editor.highlighter import RiskHighlighter

__all__ = ["PromptEditor", "RiskHighlighter"]
