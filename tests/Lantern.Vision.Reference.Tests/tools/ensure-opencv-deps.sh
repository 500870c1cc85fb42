#!/usr/bin/env bash
# Makes sure OpenCvSharp4.official.runtime.linux-x64's native library can load: it links libgtk-3.so.0
# (Debian 12: libgtk-3-0), which is the only library missing from the base image. Idempotent; silent when present.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0'; then exit 0; fi
echo "ensure-opencv-deps: libgtk-3.so.0 missing; installing the Debian package libgtk-3-0 for OpenCvSharpExtern" >&2
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-opencv-deps: cannot install (need root and apt-get). Run: apt-get update && apt-get install -y --no-install-recommends libgtk-3-0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends libgtk-3-0 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y --no-install-recommends libgtk-3-0 >/dev/null; }
ldconfig -p | grep -q 'libgtk-3\.so\.0' || { echo "ensure-opencv-deps: libgtk-3-0 installed but libgtk-3.so.0 not found" >&2; exit 1; }
