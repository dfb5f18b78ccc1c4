"""Small reusable widgets: diff view, flow layout for chips, elided labels."""
