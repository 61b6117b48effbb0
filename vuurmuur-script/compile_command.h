// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

namespace vuurmuur::script {

/// `compile [--family ipv4|ipv6] [--dump model|ir]`: check, then print the ruleset(s).
int run_compile(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
