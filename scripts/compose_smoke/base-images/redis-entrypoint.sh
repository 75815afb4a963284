#!/bin/sh
# The official image's Redis is built with protected mode off, so that other containers reach it
# when the command line (docker-compose.yml's) names no config file; Debian's is not.
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  exec redis-server "$@" --protected-mode no
fi
exec "$@"
