@echo off
rem shinchoku を実行します。例: shinchoku.bat demo / shinchoku.bat doctor / shinchoku.bat --help
setlocal
set "SHINCHOKU_EXE=%~dp0venv\Scripts\shinchoku.exe"
if not exist "%SHINCHOKU_EXE%" (
  if "%SHINCHOKU_HOME%"=="" set "SHINCHOKU_HOME=%LOCALAPPDATA%\shinchoku"
)
if not exist "%SHINCHOKU_EXE%" set "SHINCHOKU_EXE=%SHINCHOKU_HOME%\venv\Scripts\shinchoku.exe"
if not exist "%SHINCHOKU_EXE%" (
  echo shinchoku がインストールされていません。配布フォルダの install.bat を実行してください。
  exit /b 2
)
rem python -m ではなくインストールされたコマンドを使います（作業フォルダの同名フォルダの影響を受けません）
"%SHINCHOKU_EXE%" %*
exit /b %ERRORLEVEL%
