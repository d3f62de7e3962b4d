#!/usr/bin/env bash
# The FangSong substitute for official documents (docs/GBT9704.md): FandolFang,
# taken from Debian's texlive-lang-chinese without installing texlive itself
# (apt-get download + dpkg-deb -x), copied to /usr/local/share/fonts/fandol so
# fontconfig (and so WeasyPrint) finds it. Noto CJK (title, 黑体) and AR PL KaitiM GB
# (楷体) come from Debian packages in setup.sh. Idempotent; instant when done.
set -euo pipefail

DEST=${FONT_DIR:-/usr/local/share/fonts/fandol}
if [ -f "$DEST/FandolFang-Regular.otf" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ] && [ ! -w "$(dirname "$DEST")" ]; then
  echo "fonts.sh: run as root, or set FONT_DIR to a writable folder (e.g. ~/.local/share/fonts/fandol)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  apt-get download texlive-lang-chinese >/dev/null 2>&1 || {
    apt-get update -qq && apt-get download texlive-lang-chinese >/dev/null
  }
  dpkg-deb -x texlive-lang-chinese_*.deb root
)
mkdir -p "$DEST"
if ! find "$work/root" -name 'Fandol*.otf' | grep -q .; then
  echo "fonts.sh: no Fandol*.otf in texlive-lang-chinese" >&2
  exit 1
fi
find "$work/root" -name 'Fandol*.otf' -exec cp {} "$DEST"/ \;
# the GPL-with-font-exception licence and readme travel with the files
find "$work/root" -path '*fandol*' -type f \( -name 'README*' -o -name 'COPYING*' \) -exec cp {} "$DEST"/ \; 2>/dev/null || true
fc-cache -f "$DEST" >/dev/null 2>&1 || true
echo "fonts.sh: FandolFang installed in $DEST"
