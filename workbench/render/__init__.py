"""Qt renderers used by both the desktop app and the command line (core hands them documents and never imports them)."""
