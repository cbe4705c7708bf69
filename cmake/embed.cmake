# Turn every .lua file under a directory into one C source: a table of
# embedded_script {name, source, length, chunk, bytecode, length}
# (core/lua/embedded.h), so the Lua that ships lives inside the library.
# Module names follow require's dots: scripts/segrt.lua -> "segrt",
# scripts/models/rfm.lua -> "models.rfm", scripts/packs/x/init.lua -> "packs.x".
# Each script is also compiled to bytecode by LUAC (cmake/embed_luac.c) under
# the chunk name the library loads it by (core/lua/script_lua.h
# SCRIPT_MODULE_CHUNK, script_require.c): "=segrt", "@packs/x.lua" for a
# pack, "@scripts/models/rfm.lua" for the others.
# Usage: cmake -DDIR=scripts -DOUT=file.c -DLUAC=embed_luac -P embed.cmake
file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*.lua")
get_filename_component(out_dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${out_dir}") # embed_luac writes beside OUT, in a fresh build too
list(SORT files)
set(out "/* Generated from ${DIR} by cmake/embed.cmake; do not edit. */\n#include \"lua/embedded.h\"\n\n")
set(table "")
set(i 0)
# The bytes of file as the body of a C array initialiser, and their count.
function(c_bytes file body_var count_var)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR bytes "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
  set(${body_var} "${body}" PARENT_SCOPE)
  set(${count_var} ${bytes} PARENT_SCOPE)
endfunction()
foreach(f IN LISTS files)
  string(REGEX REPLACE "(/init)?\\.lua$" "" name "${f}")
  string(REPLACE "/" "." name "${name}")
  string(REPLACE "." "/" path "${name}")
  if(name STREQUAL "segrt")
    set(chunk "=segrt")
  elseif(name MATCHES "^packs\\.")
    set(chunk "@${path}.lua")
  else()
    set(chunk "@scripts/${path}.lua")
  endif()
  execute_process(COMMAND "${LUAC}" "${chunk}" "${DIR}/${f}" "${OUT}.luac"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "compiling ${DIR}/${f}: ${err}")
  endif()
  c_bytes("${DIR}/${f}" source source_len)
  c_bytes("${OUT}.luac" code code_len)
  string(APPEND out "static const char s${i}[] = {\n${source}0x00 };\n")
  string(APPEND out "static const char b${i}[] = {\n${code}0x00 };\n")
  string(APPEND table "    { \"${name}\", s${i}, ${source_len}, \"${chunk}\", b${i}, ${code_len} },\n")
  math(EXPR i "${i} + 1")
endforeach()
file(REMOVE "${OUT}.luac")
string(APPEND out "\nconst embedded_script embedded_scripts[] = {\n${table}};\n")
string(APPEND out "const size_t embedded_script_count = ${i};\n")
file(WRITE "${OUT}.tmp" "${out}")
# Only touch the output when it changed, so edits elsewhere rebuild nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
