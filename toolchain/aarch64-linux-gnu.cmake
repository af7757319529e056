# Cross-compile for 64-bit ARM boards (Debian arm64); tests run under qemu-user, with
# libc6:arm64 providing the loader and libraries.
set(KIOSK_TRIPLET aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
