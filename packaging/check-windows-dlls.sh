#!/usr/bin/env bash
# Checks that a Windows executable is a PE32+ GUI program importing only DLLs that every
# clean Windows 10 has.
set -euo pipefail
exe=$1
file "$exe" | grep -q "PE32+ executable (GUI) x86-64" || { echo "$exe is not a PE32+ GUI executable: $(file "$exe")"; exit 1; }
system='^(kernel32|user32|gdi32|advapi32|shell32|ole32|oleaut32|comdlg32|comctl32|opengl32|winmm|ws2_32|ntdll|imm32|dwmapi|shcore|uxtheme|version|setupapi|crypt32|bcrypt|secur32|userenv|dbghelp|powrprof|hid|msvcrt|mswsock|iphlpapi|winspool\.drv|shlwapi)\.dll$'
bad=0
while read -r dll; do
  if ! echo "$dll" | tr 'A-Z' 'a-z' | grep -qE "$system"; then
    echo "non-system DLL imported: $dll"
    bad=1
  fi
done < <(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | sort -u)
((bad == 0)) || exit 1
echo "check-windows-dlls: PE32+ GUI; imports only system DLLs: $(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | sort -u | tr '\n' ' ')"
