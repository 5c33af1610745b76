# Cross-compiling the native clients for 32-bit Windows (Office signs in 32-bit processes) with
# mingw-w64 (Debian: gcc-mingw-w64-i686). Only built: 32-bit Wine cannot be installed here, so
# CTest checks the DLL's exports only; the 64-bit build runs the tests under Wine.
#   cmake -S ksp -B ksp/build/mingw32 -DCMAKE_TOOLCHAIN_FILE=ksp/cmake/mingw-w64-i686.cmake
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER i686-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/i686-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
