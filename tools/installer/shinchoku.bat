@echo off
rem shinchoku を実行します。例: shinchoku.bat demo / shinchoku.bat doctor / shinchoku.bat --help
setlocal
set "SHINCHOKU_PY=%~dp0venv\Scripts\python.exe"
if not exist "%SHINCHOKU_PY%" (
  if "%SHINCHOKU_HOME%"=="" set "SHINCHOKU_HOME=%LOCALAPPDATA%\shinchoku"
)
if not exist "%SHINCHOKU_PY%" set "SHINCHOKU_PY=%SHINCHOKU_HOME%\venv\Scripts\python.exe"
if not exist "%SHINCHOKU_PY%" (
  echo shinchoku がインストールされていません。配布フォルダの install.bat を実行してください。
  exit /b 2
)
"%SHINCHOKU_PY%" -m pipeline %*
exit /b %ERRORLEVEL%
