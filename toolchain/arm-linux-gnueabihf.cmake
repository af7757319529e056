# Cross-compile for 32-bit ARM boards (Debian armhf); tests run under qemu-user, with
# libc6:armhf providing the loader and libraries.
set(KIOSK_TRIPLET arm-linux-gnueabihf)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
