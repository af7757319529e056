# Cross-compile for 32-bit ARM boards (Debian armhf) with Debian's cross compiler and
# the multiarch -dev packages (toolchain/cross-build.sh installs both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(KIOSK_TRIPLET arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${KIOSK_TRIPLET}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${KIOSK_TRIPLET} /usr/lib/${KIOSK_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# pkg-config must read the armhf .pc files, not the build machine's
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${KIOSK_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
# tests run under qemu-user; libc6:armhf provides the loader and libraries
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static)
