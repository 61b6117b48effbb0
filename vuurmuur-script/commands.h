// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

namespace vuurmuur::script {

/// Runs what the options ask for; writes results to `out` and errors to `err`; returns the
/// exit code.
int run(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
