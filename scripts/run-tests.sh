#!/usr/bin/env bash
# Run every test suite, each in its own pytest process (each service is its own project),
# keep going after a failure, and end with one summary line.
set -u
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
mkdir -p artifacts/junit
suites=(libs/common services/intake services/roster services/escalation services/notify gateway web)
[ -z "${TIEPDAN_SKIP_SYSTEM:-}" ] && suites+=(tests)
failed=()
echo "=== lint (ruff.toml)"
"$BIN/ruff" check --quiet . || failed+=(lint)
"$BIN/ruff" format --check --quiet . || { "$BIN/ruff" format --check . | tail -5; failed+=(format); }
echo "=== import rules (.importlinter)"
"$BIN/lint-imports" --no-cache >/dev/null 2>artifacts/import-rules.txt || { "$BIN/lint-imports" --no-cache; failed+=(import-rules); }
echo "=== types (mypy.ini)"
"$BIN/mypy" >artifacts/types.txt 2>&1 || { tail -20 artifacts/types.txt; failed+=(types); }
for suite in "${suites[@]}"; do
  name=$(echo "$suite" | tr '/' '-')
  echo "=== $suite"
  if [ "$suite" = tests ]; then
    (cd "$suite" && "$BIN/python" -m pytest -q --import-mode=importlib -p no:cacheprovider --timeout 600 \
        --junitxml="$OLDPWD/artifacts/junit/$name.xml" "$@") || failed+=("$suite")
  else
    (cd "$suite" && "$BIN/python" -m pytest -q --junitxml="$OLDPWD/artifacts/junit/$name.xml" "$@") \
      || failed+=("$suite")
  fi
done
"$BIN/python" scripts/junit_summary.py artifacts/junit
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing suites: ${failed[*]}"
  exit 1
fi
