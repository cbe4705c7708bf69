# segrt_static_archives(OUT PREFIX...): the static archives (lib<name>.a) of
# every library pkg-config --static names for the modules that
# pkg_check_modules found under each PREFIX (its <PREFIX>_STATIC_LIBRARIES),
# in link order, into OUT. The C library's own parts (m, dl, pthread, rt)
# stay shared and are kept as names. Configure fails, naming the archive and
# the option to turn off, when one is not installed.
function(segrt_static_archives out)
  set(archives "")
  foreach(prefix IN LISTS ARGN)
    foreach(name IN LISTS ${prefix}_STATIC_LIBRARIES)
      if(name MATCHES "^(m|dl|pthread|rt)$")
        list(APPEND archives ${name})
        continue()
      endif()
      find_library(SEGRT_ARCHIVE_${name} NAMES lib${name}.a
        HINTS ${${prefix}_STATIC_LIBRARY_DIRS})
      if(NOT SEGRT_ARCHIVE_${name})
        string(TOLOWER "${prefix}" module)
        message(FATAL_ERROR "SEGRT_STATIC_DEPS: lib${name}.a (needed by ${module}) "
          "is not installed; install its -dev package "
          "(.ci/install) or configure with -DSEGRT_STATIC_DEPS=OFF")
      endif()
      list(APPEND archives ${SEGRT_ARCHIVE_${name}})
    endforeach()
  endforeach()
  # Each archive once, at its last place: after everything that needs it.
  list(REVERSE archives)
  list(REMOVE_DUPLICATES archives)
  list(REVERSE archives)
  set(${out} ${archives} PARENT_SCOPE)
endfunction()
