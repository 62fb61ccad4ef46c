#!/usr/bin/env bash
# Makes sure the programs the tests drive are here: Debian's Chromium and Firefox ESR (the two browser engines of the
# end-to-end tests), redis-server (scale-out tests) and coturn (relay tests). As root on Debian it installs what is
# missing; anywhere else it stops with one line naming the exact command to run. `npm test` runs this first.
# `screenshots` as the first argument also asks for a CJK font (`npm run screenshots`): the tests read text, not
# pixels, but a person looking at the Chinese screens needs the glyphs drawn, not boxes.
set -euo pipefail

declare -A package_of=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/firefox-esr]=firefox-esr
  [redis-server]=redis-server
  [turnserver]=coturn
)
missing=()
for program in "${!package_of[@]}"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("${package_of[$program]}")
done
if [ "${1:-}" = screenshots ] && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]}; install them first: sudo sh -c '$command'" >&2
  exit 1
fi
echo "Installing what the tests need: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
