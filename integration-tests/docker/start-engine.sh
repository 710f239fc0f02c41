#!/usr/bin/env bash
# Makes a Docker engine available for the container tests on a fresh Debian machine (run as root):
# installs docker.io from the distribution if needed, starts dockerd if it is not answering, and builds the
# local JRE image the tests use (no image registry is reachable).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q docker.io
fi
if ! docker info >/dev/null 2>&1; then
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /tmp/dockerd.log" >&2; tail -20 /tmp/dockerd.log >&2; exit 1; }
fi
"$here/build-jre-image.sh" "${1:-shunt-jre:17}"
