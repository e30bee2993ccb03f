"""Content: read `components.yaml` and `incidents/` into the frozen model, or a list of
`path:line` errors."""
