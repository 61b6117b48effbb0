// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

/// `capabilities [--json]`: the capability probe (apply/capabilities.h) as a table or as JSON
/// (docs/json.md). The restore programs come from config.conf, as for apply. Changes nothing.
namespace vuurmuur::script {

/// Exit 0 when the probe ran (missing features are in the table; missing required ones are
/// also warned about on stderr), 2 when it could not run (no restore program).
int run_capabilities(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
