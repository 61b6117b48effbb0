# SPDX-License-Identifier: GPL-2.0-or-later
# vm_target_warnings(tgt): the one list of warning flags, applied per target.
function(vm_target_warnings tgt)
  target_compile_options(${tgt} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wimplicit-fallthrough -Wconversion -Wsign-conversion)
  # GCC 12 reports -Wrestrict false positives inside std::string concatenation at -O2/-O3
  # (GCC bug 105329); the warning stays on for other compilers.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${tgt} PRIVATE -Wno-restrict)
  endif()
  if(VM_WERROR)
    target_compile_options(${tgt} PRIVATE -Werror)
  endif()
endfunction()
