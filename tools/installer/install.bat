@echo off
rem shinchoku を、このフォルダにあるファイルだけでインストールします。
rem インターネット接続も管理者権限も要りません。インストール先は自分のユーザーフォルダです
rem （既定: %LOCALAPPDATA%\shinchoku。変えるときは環境変数 SHINCHOKU_HOME を設定）。
setlocal
set "HERE=%~dp0"
if "%SHINCHOKU_HOME%"=="" set "SHINCHOKU_HOME=%LOCALAPPDATA%\shinchoku"
set "PY="
for %%V in (3.13 3.12 3.11) do (
  if not defined PY (
    py -%%V -c "import sys" >nul 2>&1 && set "PY=py -%%V"
  )
)
if not defined PY (
  python -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)" >nul 2>&1 && set "PY=python"
)
if not defined PY (
  echo Python 3.11、3.12 または 3.13 が見つかりません。
  echo 手引きの「Python のインストール」に従って Python を入れてから、もう一度実行してください。
  goto fail
)
echo [1/3] 仮想環境を作成しています: %SHINCHOKU_HOME%\venv
%PY% -m venv "%SHINCHOKU_HOME%\venv"
if errorlevel 1 goto fail
echo [2/3] このフォルダのファイルから shinchoku をインストールしています（数分かかります）
"%SHINCHOKU_HOME%\venv\Scripts\python.exe" -m pip install --no-index --find-links "%HERE%." --upgrade shinchoku
if errorlevel 1 goto fail
copy /y "%HERE%shinchoku.bat" "%SHINCHOKU_HOME%\shinchoku.bat" >nul
if errorlevel 1 goto fail
echo [3/3] 動作環境を確認しています
"%SHINCHOKU_HOME%\venv\Scripts\shinchoku.exe" doctor --out "%USERPROFILE%\Documents\shinchoku" --db "%USERPROFILE%\Documents\shinchoku\shinchoku.sqlite3"
if errorlevel 1 goto fail
echo.
echo インストールが終わりました。コマンドプロンプトで次のように実行します:
echo   "%SHINCHOKU_HOME%\shinchoku.bat" demo
if not "%SHINCHOKU_NO_PAUSE%"=="1" pause
exit /b 0

:fail
echo.
echo インストールできませんでした。上に表示された内容を手引きの「困ったとき」と照らして確認してください。
if not "%SHINCHOKU_NO_PAUSE%"=="1" pause
exit /b 1
