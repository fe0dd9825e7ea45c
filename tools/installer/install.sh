#!/bin/sh
# Installs shinchoku from this folder alone (no network, no administrator rights) into a
# virtual environment in the user's own folder: $SHINCHOKU_HOME, by default
# ~/.local/share/shinchoku. Then: "$SHINCHOKU_HOME/venv/bin/shinchoku" demo
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${SHINCHOKU_HOME:-"$HOME/.local/share/shinchoku"}
PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)'
  then
    PY=$candidate
    break
  fi
done
if [ -z "$PY" ]; then
  echo "Python 3.11、3.12 または 3.13 が見つかりません。インストールしてから再実行してください。" >&2
  exit 1
fi
echo "[1/3] 仮想環境を作成しています: $TARGET/venv"
"$PY" -m venv "$TARGET/venv"
echo "[2/3] このフォルダのファイルから shinchoku をインストールしています"
"$TARGET/venv/bin/python" -m pip install --no-index --find-links "$HERE" --upgrade shinchoku
echo "[3/3] 動作環境を確認しています"
"$TARGET/venv/bin/shinchoku" doctor --out "$TARGET/output" --db "$TARGET/output/shinchoku.sqlite3"
echo "インストールが終わりました: $TARGET/venv/bin/shinchoku"
