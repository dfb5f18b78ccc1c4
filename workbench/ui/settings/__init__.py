"""Settings dialog: profiles and keys, data location, allow/block lists, theme."""
