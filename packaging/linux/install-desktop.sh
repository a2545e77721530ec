#!/bin/sh
# Adds News Annotator to your desktop's application menu and teaches it the .annot project file
# type, for the current user only (no root needed): a menu entry (.desktop), AppStream metadata,
# the MIME type application/x-news-annotator-project, and the icon in every size.
#
#   ./install-desktop.sh                 install (finds the program, see --exec)
#   ./install-desktop.sh --exec PATH     install, starting PATH from the menu and for .annot files
#   ./install-desktop.sh --uninstall     remove it all again
#
# Works from an unpacked bundle (next to the "annotator" program) and from a source checkout
# (packaging/linux/, with the program from "pip install" on PATH). Files go under
# ${XDG_DATA_HOME:-~/.local/share}.
set -eu

APP_ID=org.newsannotator.NewsAnnotator
MIME_TYPE=application/x-news-annotator-project
MIME_ICON=application-x-news-annotator-project
SIZES="16 24 32 48 64 128 256 512"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install-desktop.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
exec_path=""
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --exec) [ $# -ge 2 ] || die "--exec needs a path"; exec_path=$2; shift 2 ;;
    --exec=*) exec_path=${1#--exec=}; shift ;;
    --uninstall) action=uninstall; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

# Where the files to install are: a bundle keeps them in desktop/, a checkout beside this script.
if [ -f "$here/desktop/$APP_ID.desktop" ]; then
  data="$here/desktop"; icons="$here/desktop/icons"
else
  data="$here"; icons="$here/../../resources/icons"
fi
[ -f "$data/$APP_ID.desktop" ] || die "cannot find $APP_ID.desktop next to this script"
[ -d "$icons/hicolor" ] || die "cannot find the icons (looked in $icons/hicolor)"

share=${XDG_DATA_HOME:-"$HOME/.local/share"}
hicolor="$share/icons/hicolor"

refresh() {
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$share/mime" >/dev/null
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$share/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$hicolor" || true
  fi
  touch "$hicolor" 2>/dev/null || true  # icon caches look at the folder's time
}

if [ "$action" = uninstall ]; then
  rm -f "$share/applications/$APP_ID.desktop" \
        "$share/metainfo/$APP_ID.metainfo.xml" \
        "$share/mime/packages/news-annotator.xml" \
        "$hicolor/scalable/apps/$APP_ID.svg" \
        "$hicolor/scalable/mimetypes/$MIME_ICON.svg"
  for size in $SIZES; do
    rm -f "$hicolor/${size}x$size/apps/$APP_ID.png" "$hicolor/${size}x$size/mimetypes/$MIME_ICON.png"
  done
  mkdir -p "$share/mime/packages" "$share/applications" "$hicolor"
  refresh
  echo "News Annotator was removed from the menu (the program and your projects are untouched)."
  exit 0
fi

# The program the menu entry starts.
if [ -z "$exec_path" ]; then
  if [ -x "$here/annotator" ] && [ -f "$here/annotator" ]; then
    exec_path="$here/annotator"
  elif command -v annotator >/dev/null 2>&1; then
    exec_path=$(command -v annotator)
  else
    die "cannot find the annotator program; pass its path with --exec PATH"
  fi
fi
case "$exec_path" in
  /*) ;;
  *) exec_path="$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")" ;;
esac
[ -x "$exec_path" ] || echo "install-desktop.sh: warning: $exec_path is not an executable file (yet)" >&2

# Desktop Entry quoting: a path with characters outside a safe set is double-quoted, with " ` $ \
# escaped inside the quotes and every backslash doubled again as a string value; % is doubled.
case "$exec_path" in
  *[!A-Za-z0-9_./+-]*)
    quoted=$(printf '%s' "$exec_path" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')
    exec_value="\"$quoted\"" ;;
  *) exec_value=$exec_path ;;
esac
try_exec=$(printf '%s' "$exec_path" | sed -e 's/\\/\\\\/g')

mkdir -p "$share/applications" "$share/metainfo" "$share/mime/packages" \
         "$hicolor/scalable/apps" "$hicolor/scalable/mimetypes"
# awk, not sed: the replacement is the user's path and may hold any character.
# (ENVIRON, not -v, which would undo the backslash escapes.)
EXEC_VALUE=$exec_value TRY_EXEC=$try_exec awk '
  /^Exec=/    { print "Exec=" ENVIRON["EXEC_VALUE"] " %f"; next }
  /^TryExec=/ { print "TryExec=" ENVIRON["TRY_EXEC"]; next }
  /^# install-desktop.sh replaces/ { next }
  { print }
' "$data/$APP_ID.desktop" > "$share/applications/$APP_ID.desktop.tmp"
mv "$share/applications/$APP_ID.desktop.tmp" "$share/applications/$APP_ID.desktop"
cp "$data/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
cp "$data/news-annotator.xml" "$share/mime/packages/news-annotator.xml"
cp "$icons/news-annotator.svg" "$hicolor/scalable/apps/$APP_ID.svg"
cp "$icons/news-annotator.svg" "$hicolor/scalable/mimetypes/$MIME_ICON.svg"
for size in $SIZES; do
  png="$icons/hicolor/${size}x$size/apps/news-annotator.png"
  [ -f "$png" ] || die "missing icon $png"
  mkdir -p "$hicolor/${size}x$size/apps" "$hicolor/${size}x$size/mimetypes"
  cp "$png" "$hicolor/${size}x$size/apps/$APP_ID.png"
  cp "$png" "$hicolor/${size}x$size/mimetypes/$MIME_ICON.png"
done
refresh

echo "News Annotator is in your application menu and opens .annot project files ($MIME_TYPE)."
printf 'It starts: %s\n' "$exec_path"
echo "To remove it: $0 --uninstall"
