#!/usr/bin/env bash
# The dashboard's end-to-end tests drive Debian's Chromium with chromedriver. Install them when
# missing (as root with apt), or say clearly why the tests cannot run.
set -u
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: installing Debian's chromium and chromium-driver for the dashboard's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null \
    || { echo "ensure-browser: apt-get could not install chromium chromium-driver" >&2; exit 1; }
  exit 0
fi
echo "ensure-browser: /usr/bin/chromium and /usr/bin/chromedriver are needed (Debian: apt-get install chromium chromium-driver)" >&2
exit 1
