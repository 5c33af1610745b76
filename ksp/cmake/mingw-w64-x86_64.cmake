# Cross-compiling the native clients for 64-bit Windows with mingw-w64 (Debian:
# gcc-mingw-w64-x86-64); CTest runs the test programs under Wine (wine64).
#   cmake -S ksp -B ksp/build/mingw -DCMAKE_TOOLCHAIN_FILE=ksp/cmake/mingw-w64-x86_64.cmake
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
find_program(SIGIL_WINE NAMES wine wine64)
if(SIGIL_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SIGIL_WINE})
endif()
