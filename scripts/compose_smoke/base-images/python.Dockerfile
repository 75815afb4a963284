# Stand-in for python:3.11-slim-bookworm, built from Debian's own packages: Debian bookworm's
# Python is 3.11, put where the official image has it (/usr/local/bin, pip beside it).
FROM allied-smoke/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /usr/local \
    && /usr/local/bin/pip install --quiet --upgrade pip
CMD ["python3"]
