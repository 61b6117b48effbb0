// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

namespace vuurmuur::script {

/// -C -D -R -M, --block, --unblock, rules add/move/activate/deactivate/delete and --reload:
/// calls the core's editor (vuurmuur/edit), prints its one-line error (and the referrers of a
/// refused delete) to `err`, audits to syslog (and `out` with -v), then applies if asked.
int run_edit(const ScriptOptions& options, std::ostream& out, std::ostream& err);

/// rules list and --list-blocked, as text or --json.
int run_rules_list(const ScriptOptions& options, std::ostream& out, std::ostream& err);
int run_list_blocked(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
