#!/usr/bin/env bash
# Installs what the end-to-end tests drive (Debian packages): the download clients curl, wget and aria2c,
# haproxy (load balancer of the scale-out test), docker-compose (only `docker-compose config`,
# which validates docker-compose.yml without any Docker engine), redis-server (the shared digest
# store's tests start their own on a loopback port), python3 and openssl (README recipes).
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v wget >/dev/null || missing+=(wget)
command -v aria2c >/dev/null || missing+=(aria2)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v python3 >/dev/null || missing+=(python3)   # the README's link-minting recipe
command -v openssl >/dev/null || missing+=(openssl)   # key generation and the shell minting recipe
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools present: curl, wget, aria2c, haproxy, docker-compose, redis-server, python3, openssl"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
