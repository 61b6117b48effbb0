// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include "options.h"

/// The one place where vuurmuur-script asks for the saved config to be applied to the
/// running firewall (--apply, --reload, and block/unblock unless --no-apply).
namespace vuurmuur::script {

struct ApplyOutcome {
    bool applied = false;
    bool available = false;  ///< false while apply is not implemented
    std::string message;     ///< one line when !applied
};

/// TODO(apply issue): call the core's apply stage (vuurmuur-core/vuurmuur/apply/) here:
/// compile the tree at options.config_dir (with options.config_file), load it and report the
/// result. Until then it applies nothing and says so; the callers map that to exit 2 when
/// --apply or --reload asked for it, and to a note with exit 0 for the implicit apply of
/// --block and --unblock. See docs/man/vuurmuur-script.8, section APPLY.
ApplyOutcome request_apply(const ScriptOptions& options);

}  // namespace vuurmuur::script
