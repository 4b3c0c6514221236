#!/bin/sh
# Installs, with apt-get, the Debian packages Vigie needs to build and test, when they are missing.
set -e
need=""
for p in build-essential pkg-config libsqlite3-dev libpq-dev libjansson-dev libyaml-dev libsodium-dev postgresql sqlite3 jq; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "deps: installing$need"
if [ "$(id -u)" != 0 ]; then echo "deps: missing packages:$need (run as root, or install them)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $need >/dev/null
