# Turn every .lua file under a directory into one C source: a table of
# embedded_script {name, source, length} (core/lua/embedded.h), so the Lua that
# ships lives inside the library. Module names follow require's dots:
# scripts/segrt.lua -> "segrt", scripts/models/rfm.lua -> "models.rfm",
# scripts/packs/x/init.lua -> "packs.x".
# Usage: cmake -DDIR=scripts -DOUT=file.c -P embed.cmake
file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*.lua")
list(SORT files)
set(out "/* Generated from ${DIR} by cmake/embed.cmake; do not edit. */\n#include \"lua/embedded.h\"\n\n")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  file(READ "${DIR}/${f}" hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR bytes "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
  string(REGEX REPLACE "(/init)?\\.lua$" "" name "${f}")
  string(REPLACE "/" "." name "${name}")
  string(APPEND out "static const char s${i}[] = {\n${body}0x00 };\n")
  string(APPEND table "    { \"${name}\", s${i}, ${bytes} },\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND out "\nconst embedded_script embedded_scripts[] = {\n${table}};\n")
string(APPEND out "const size_t embedded_script_count = ${i};\n")
file(WRITE "${OUT}.tmp" "${out}")
# Only touch the output when it changed, so edits elsewhere rebuild nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
