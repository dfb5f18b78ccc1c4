"""Everything that talks to an image API: profiles, keys, the client, errors, retries, prices.

Pure Python and async; no Qt. The UI and the CLI call `ImageClient` (client.py) and read the
normalised `GenerationResult` / `ErrorRecord` (workbench.core.api.records); they never import
`openai` themselves. Submodules are imported directly (``from workbench.core.api.error_parsing import
parse_error_body``) so that importing this package stays cheap (`openai` takes ~0.5 s).
"""
