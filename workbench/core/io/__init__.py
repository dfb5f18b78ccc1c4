"""Files and untrusted text, safely: atomic writes, bounded reads, text decoding, checked TOML, prompt files."""
