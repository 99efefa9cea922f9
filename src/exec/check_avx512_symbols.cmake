# Run after tinyq_core is built (src/exec/CMakeLists.txt): gemm_f32_avx512.cc is compiled with
# -mavx512*, so an inline function it defines under a name other files also define could be the
# copy the linker keeps for the whole program, and crash callers on CPUs without AVX-512. Fails
# the build if that object defines a weak function outside its renamed Eigen namespace.
#   cmake -DOBJECTS=<objects;...> -DNM=<nm> -P check_avx512_symbols.cmake
foreach(obj IN LISTS OBJECTS)
  if(NOT obj MATCHES "gemm_f32_avx512")
    continue()
  endif()
  execute_process(COMMAND ${NM} -C --defined-only ${obj} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${obj}")
  endif()
  string(REPLACE "\n" ";" lines "${syms}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-f]+ [Ww] " AND NOT line MATCHES "TinyqEigenAvx512")
      message(FATAL_ERROR "${obj}: weak symbol outside TinyqEigenAvx512 (it may replace the "
                          "baseline copy for the whole program): ${line}")
    endif()
  endforeach()
endforeach()
