"""The fix panel: desensitize with a diff preview, framing chips, the LLM rewrite, hard lines."""
