# Shared by the cross toolchain files, which set KIOSK_TRIPLET, the processor and the
# qemu-user emulator first: Debian's cross compiler and multiarch -dev packages
# (toolchain/cross-build.sh installs both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${KIOSK_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${KIOSK_TRIPLET}-g++) # the pinyin engine is C++
set(CMAKE_FIND_ROOT_PATH /usr/${KIOSK_TRIPLET} /usr/lib/${KIOSK_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: pkg-config names exact arm libdirs (FindPkgConfig searches only those), and
# the private sysroot of cross-build.sh lies outside the find root
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# pkg-config must read the arm .pc files, not the build machine's (and the private
# sysroot of toolchain/cross-build.sh for non-multiarch -dev packages)
set(ENV{PKG_CONFIG_LIBDIR}
    "$ENV{KIOSK_CROSS_PKG_CONFIG}:/usr/lib/${KIOSK_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
