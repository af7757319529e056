# Cross-compile for 64-bit ARM boards (Debian arm64) with Debian's cross compiler and
# the multiarch -dev packages (toolchain/cross-build.sh installs both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KIOSK_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${KIOSK_TRIPLET}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${KIOSK_TRIPLET} /usr/lib/${KIOSK_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: pkg-config names exact arm libdirs (FindPkgConfig searches only those), and
# the private sysroot of cross-build.sh lies outside the find root
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# pkg-config must read the arm64 .pc files, not the build machine's
# (and the private sysroot of toolchain/cross-build.sh for non-multiarch -dev packages)
set(ENV{PKG_CONFIG_LIBDIR}
    "$ENV{KIOSK_CROSS_PKG_CONFIG}:/usr/lib/${KIOSK_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# tests run under qemu-user; libc6:arm64 provides the loader and libraries
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
