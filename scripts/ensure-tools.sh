#!/usr/bin/env bash
# Installs the Debian packages that provide missing commands, for the
# benchmark scripts (load.sh, load-submit.sh): as root, or through sudo.
#
#   scripts/ensure-tools.sh COMMAND=PACKAGE ...
#   e.g. scripts/ensure-tools.sh wrk=wrk nginx=nginx-light sqlite3=sqlite3
#
# Does nothing when every command is there; otherwise runs
# `apt-get install -y` for the missing ones' packages (the package
# registries are reachable), or says which to install and exits with 1.
set -euo pipefail
missing=()
for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "ensure-tools: missing Debian packages: ${missing[*]}; run as root or: apt-get install -y ${missing[*]}" >&2
    exit 1
fi
command -v apt-get >/dev/null 2>&1 || {
    echo "ensure-tools: no apt-get here; install ${missing[*]} by hand" >&2
    exit 1
}
echo "ensure-tools: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null ||
    { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null; }
