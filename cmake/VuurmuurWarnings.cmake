# SPDX-License-Identifier: GPL-2.0-or-later
# vm_target_warnings(tgt): the one list of warning flags, applied per target.
function(vm_target_warnings tgt)
  target_compile_options(${tgt} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wimplicit-fallthrough -Wconversion -Wsign-conversion)
  if(VM_WERROR)
    target_compile_options(${tgt} PRIVATE -Werror)
  endif()
endfunction()
