// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_hook.h"

namespace vuurmuur::script {

ApplyOutcome request_apply(const ScriptOptions& /*options*/) {
    ApplyOutcome outcome;
    outcome.message = "apply is not available yet (not implemented); the change is saved in the "
                      "config tree only";
    return outcome;
}

}  // namespace vuurmuur::script
