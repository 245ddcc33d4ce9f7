# Strict warnings for the project's own targets (Abseil's GCC list plus shadow and conversion).
# Third-party headers are included as system headers and stay silent.
function(draaischijf_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wcast-qual -Wformat=2 -Wformat-security -Wmissing-declarations
    -Wpointer-arith -Wundef -Wvla -Wshadow -Wconversion -Wsign-conversion
    -Wold-style-cast -Wimplicit-fallthrough)
  if(DRAAISCHIJF_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# A library that lives in one top-level folder: include/draaischijf/<name>/ is public,
# src/ is private.
function(draaischijf_library target)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(draaischijf::${target} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                       PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_DEPENDS})
  draaischijf_warnings(${target})
endfunction()
