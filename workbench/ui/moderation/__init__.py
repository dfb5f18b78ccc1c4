"""The moderation panel: omni-moderation scores as a second opinion on the prompt."""
