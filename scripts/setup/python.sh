# Sourced by scripts/test.sh: a Python virtual environment with the reference clients and test
# tools the suite checks the product against (scripts/requirements-tools.txt: schemathesis for the
# API contract, Google's libphonenumber port `phonenumbers` for the numbering plans, …), made once
# in .venv-tools/ (git-ignored) and re-made when the requirements file changes. Exports
#   SMSSTATS_TEST_PYTHON=<venv>/bin/python
# for the Swift tests that compare against a reference library. Never fails the run outside CI:
# when Python or PyPI is missing, the variable stays unset and those tests are skipped with a note;
# under CI=true the tests that need it fail instead of skipping (see SMSTestSupport.ReferencePython).
python_setup() {
  local venv="$PWD/.venv-tools" req="$PWD/scripts/requirements-tools.txt" py
  py=$(command -v python3 || true)
  if [ -z "$py" ]; then
    echo "note: python3 not found; reference-library tests skipped" >&2
    return 0
  fi
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/.requirements"; then
    echo "setup: creating $venv from scripts/requirements-tools.txt (quiet)…" >&2
    rm -rf "$venv"
    if ! { "$py" -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"; } >"$SMSSTATS_TEST_OUTPUT/python-setup.log" 2>&1; then
      echo "note: the tool venv could not be made (see $SMSSTATS_TEST_OUTPUT/python-setup.log); reference-library tests skipped" >&2
      rm -rf "$venv"
      return 0
    fi
    cp "$req" "$venv/.requirements"
  fi
  export SMSSTATS_TEST_PYTHON="$venv/bin/python"
  echo "setup: SMSSTATS_TEST_PYTHON=$SMSSTATS_TEST_PYTHON" >&2
}
python_setup
