#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Tools the tests drive for real: Chromium (pages), Java + the Nu validator (HTML),
# actionlint + shellcheck (workflows), moto (S3). A missing tool fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v npm >/dev/null || need_apt+=(npm)
if ((${#need_apt[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
python3 -c "import heliograph, playwright, moto, axe_playwright_python, feedparser, icalendar"

VNU=.tools/node_modules/vnu-jar/build/dist/vnu.jar
[ -f "$VNU" ] || npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26.9.27 >/dev/null

for tool in chromium java actionlint check-jsonschema shellcheck; do
  command -v "$tool" >/dev/null || { echo "missing test tool: $tool" >&2; exit 1; }
done
[ -f "$VNU" ] || { echo "missing test tool: $VNU" >&2; exit 1; }

exec python3 -m pytest -p no:cacheprovider "$@"
