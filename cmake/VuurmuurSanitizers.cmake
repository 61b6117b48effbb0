# SPDX-License-Identifier: GPL-2.0-or-later
# With VM_SANITIZE=ON every target is built and linked with ASan + UBSan (LSan is part of ASan).
if(VM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
