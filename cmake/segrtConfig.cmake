# CMake package of segrt: find_package(segrt) gives segrt::segrt_shared and
# segrt::segrt_static (which needs the dependencies found here).
include(CMakeFindDependencyMacro)
find_dependency(PkgConfig)
pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.4)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
include("${CMAKE_CURRENT_LIST_DIR}/segrtTargets.cmake")
