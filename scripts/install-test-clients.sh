#!/usr/bin/env bash
# Installs the real download clients the end-to-end tests drive: curl, wget and aria2c (Debian packages).
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v wget >/dev/null || missing+=(wget)
command -v aria2c >/dev/null || missing+=(aria2)
if [ ${#missing[@]} -eq 0 ]; then
  echo "test clients present: curl, wget, aria2c"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
