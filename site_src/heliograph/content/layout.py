"""Where a site's sources are: the names of its files and folders, part of the public format.

Kept in a module of its own, with no imports, so that the parts of a build that only look at
files (the source index of the cache) need nothing that parses them.
"""

CONFIG_NAME = "components.yaml"  # the site settings, severities and components
INCIDENTS_DIR = "incidents"  # one folder per incident or maintenance, named by its slug
POSTMORTEM_NAME = "postmortem.md"  # in an incident's folder: its postmortem, not an update
THEME_DIR = "theme"  # the site's own templates and static files, over the bundled ones
OUTPUT_DIR = "_site"  # where `build` writes unless told otherwise: an output, never an input

# A public update is a few paragraphs and a long postmortem 50 kB; the bound keeps the worst
# message within a couple of seconds of rendering (markdown-it is linear in the length).
MAX_FILE_BYTES = 200_000
