"""Where a site's sources are: the names of its files and folders, part of the public format.

Kept in a module of its own, importing only pathlib, so that the parts of a build that only look at
files (the source index of the cache) need nothing that parses them.
"""

from pathlib import Path

CONFIG_NAME = "components.yaml"  # the site settings, severities and components
INCIDENTS_DIR = "incidents"  # one folder per incident or maintenance, named by its slug
POSTMORTEM_NAME = "postmortem.md"  # in an incident's folder: its postmortem, not an update
THEME_DIR = "theme"  # the site's own templates and static files, over the bundled ones
OUTPUT_DIR = "_site"  # where `build` writes unless told otherwise: an output, never an input
DEFAULT_THEME = Path(__file__).parents[1] / "theme"  # the package's own: what THEME_DIR overrides

# A public update is a few paragraphs and a long postmortem 50 kB; the bound keeps the worst
# message within a couple of seconds of rendering (markdown-it is linear in the length).
MAX_FILE_BYTES = 200_000
