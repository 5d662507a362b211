#!/bin/sh
# Builds the Teams app package: a zip of manifest.json, color.png and
# outline.png, with the bot's app id and SIMA's public host filled in.
#
#   sima-teams/appPackage/package.sh <bot-app-id> <public-url-or-host> [output.zip]
#
# <bot-app-id>: the bot's Microsoft Entra app (client) id, a GUID
#   (SIMA_TEAMS_APP_ID).
# <public-url-or-host>: where Teams reaches SIMA, e.g. https://sima.example.com
#   (SIMA_PUBLIC_URL) or sima.example.com; only the host is kept.
# [output.zip]: default ./sima-teams-app.zip.
#
# Writes the zip with `zip`, or with python3 when `zip` is missing
# (ZIP_TOOL=python3 chooses python3), and prints its path.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 <bot-app-id> <public-url-or-host> [output.zip]" >&2
  exit 2
fi
app_id=$1
host=$2
out=${3:-sima-teams-app.zip}

guid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
if ! printf '%s\n' "$app_id" | grep -Eq "$guid"; then
  echo "$0: the bot's app id must be a GUID like 6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c (got '$app_id')" >&2
  exit 2
fi

host=${host#https://}
host=${host#http://}
host=${host%%/*}
host=${host%%:*}
label='[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
if ! printf '%s\n' "$host" | grep -Eq "^$label(\.$label)*\$"; then
  echo "$0: '$2' has no usable host name; give SIMA's public URL, e.g. https://sima.example.com" >&2
  exit 2
fi

case $out in
  /*) ;;
  *) out="$(pwd)/$out" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e "s/{{BOT_APP_ID}}/$app_id/g" -e "s/{{PUBLIC_HOST}}/$host/g" "$here/manifest.json" >"$work/manifest.json"
cp "$here/color.png" "$here/outline.png" "$work/"
rm -f "$out"

tool=${ZIP_TOOL:-}
if [ -z "$tool" ]; then
  if command -v zip >/dev/null 2>&1; then tool=zip; else tool=python3; fi
fi
case $tool in
  zip)
    (cd "$work" && zip -q -X "$out" manifest.json color.png outline.png)
    ;;
  python3)
    if ! command -v python3 >/dev/null 2>&1; then
      echo "$0: needs zip or python3 to write the package" >&2
      exit 1
    fi
    python3 - "$work" "$out" <<'PY'
import os
import sys
import zipfile

work, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
    for name in ("manifest.json", "color.png", "outline.png"):
        package.write(os.path.join(work, name), name)
PY
    ;;
  *)
    echo "$0: ZIP_TOOL must be zip or python3 (got '$tool')" >&2
    exit 2
    ;;
esac
echo "$out"
