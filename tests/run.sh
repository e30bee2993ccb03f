#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Tools the tests drive for real: Chromium (pages), Java + the Nu validator (HTML),
# actionlint + shellcheck (workflows), moto (S3). A missing tool fails the run; nothing is skipped.
# Before pytest, the code's own rules: ruff (lint and format), mypy, import-linter's contracts.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# `step WHAT COMMAND...`: say what is being set up, show that it is still going every 15 s, and
# on failure show the end of its output; a fresh machine spends a couple of minutes here.
step() {
  local what=$1 started=$SECONDS pid
  shift
  echo "setup: $what ..."
  "$@" >"$log" 2>&1 &
  pid=$!
  while ! wait_for "$pid" 15; do
    echo "setup:   still $what ($((SECONDS - started)) s so far)"
  done
  if ! wait "$pid"; then
    grep -v '^WARNING: Location' "$log" | tail -n 30 >&2
    echo "setup: failed while $what" >&2
    exit 1
  fi
  echo "setup:   done in $((SECONDS - started)) s"
}

# Whether process $1 ends within $2 seconds.
wait_for() {
  local n
  for ((n = 0; n < $2 * 4; n++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.25
  done
  return 1
}

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v npm >/dev/null || need_apt+=(npm)
if ((${#need_apt[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  step "reading the Debian package lists (apt-get update)" $sudo apt-get update -qq
  step "installing ${need_apt[*]} with apt-get (about 30 s; Chromium is 120 MB)" \
    env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}"
else
  echo "setup: chromium, shellcheck, java and npm are installed"
fi

step "installing heliograph and its test tools with pip (pyproject.toml's [test] extra)" \
  python3 -m pip install --disable-pip-version-check -e '.[test]'
python3 -c "import heliograph, playwright, moto, axe_playwright_python, feedparser, icalendar, aiosmtpd, cryptography"

VNU=.tools/node_modules/vnu-jar/build/dist/vnu.jar
if [ ! -f "$VNU" ]; then
  step "installing the Nu HTML checker (npm vnu-jar)" \
    npm install --no-audit --no-fund --prefix .tools vnu-jar@26.9.27
fi

for tool in chromium java actionlint check-jsonschema shellcheck ruff mypy lint-imports; do
  command -v "$tool" >/dev/null || {
    echo "missing test tool: $tool" >&2
    exit 1
  }
done
[ -f "$VNU" ] || {
  echo "missing test tool: $VNU" >&2
  exit 1
}

echo "checks: ruff check, ruff format --check, mypy, lint-imports"
ruff check --quiet site_src tests bench build.py
ruff format --check --quiet site_src tests bench build.py
mypy
lint-imports --no-cache | grep -E "KEPT|BROKEN|Contracts:"

# Two workers, one per core of the CI machine: the suite waits on Chromium, Java and servers as
# much as it computes, and one process in turn took 13 minutes where two take about six.
exec python3 -m pytest -p no:cacheprovider -n 2 "$@"
