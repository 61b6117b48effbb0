// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>
#include <string>

#include "options.h"

/// The one place where vuurmuur-script asks for the saved config to be applied to the
/// running firewall (--apply, --reload, and block/unblock unless --no-apply).
namespace vuurmuur::script {

struct ApplyOutcome {
    bool applied = false;
    std::string message;  ///< one line when !applied
};

/// Applies the tree at options.config_dir with the core's apply stage (check, compile, load
/// both families as one, roll back on failure; state in options.state_dir). Diagnostics and
/// warnings go to `err`; what was done goes to `out` with -v only.
ApplyOutcome request_apply(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
