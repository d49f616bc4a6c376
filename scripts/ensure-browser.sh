#!/usr/bin/env bash
# The dashboard's end-to-end tests drive Debian's Chromium with chromedriver, and the official registers'
# tests open their XLSX in LibreOffice and look at the PDF with poppler. Install them when missing (as root
# with apt), or say clearly why the tests cannot run.
set -u
browser=() office=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || browser+=(chromium chromium-driver)
command -v soffice >/dev/null 2>&1 || office+=(libreoffice-calc)
command -v pdftoppm >/dev/null 2>&1 || office+=(poppler-utils)
missing=("${browser[@]}" "${office[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: installing Debian's ${missing[*]} for the browser and spreadsheet tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || { echo "ensure-browser: apt-get update failed" >&2; exit 1; }
  if [ ${#browser[@]} -gt 0 ]; then
    apt-get install -y -qq "${browser[@]}" >/dev/null \
      || { echo "ensure-browser: apt-get could not install ${browser[*]}" >&2; exit 1; }
  fi
  if [ ${#office[@]} -gt 0 ]; then  # LibreOffice's recommends are large and not needed to convert a file
    apt-get install -y -qq --no-install-recommends "${office[@]}" >/dev/null \
      || { echo "ensure-browser: apt-get could not install ${office[*]}" >&2; exit 1; }
  fi
  exit 0
fi
echo "ensure-browser: these Debian packages are needed: ${missing[*]} (apt-get install ${missing[*]})" >&2
exit 1
