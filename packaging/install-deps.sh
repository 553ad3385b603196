#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages given as arguments that are not installed yet.
# Used by `make run` and `make test`; does nothing when everything is present, and only
# explains what is missing on systems without apt-get.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install these packages (or your system's equivalents): ${missing[*]}" >&2
  exit 0
fi
sudo=""
[[ $(id -u) == 0 ]] || sudo=sudo
echo "Installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
