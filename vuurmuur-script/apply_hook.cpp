// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_hook.h"

#include <ostream>

#include "vuurmuur/apply/apply.h"

namespace vuurmuur::script {

ApplyOutcome request_apply(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    apply::Request rq;
    rq.config_dir = o.config_dir;
    rq.state_dir = o.state_dir;
    apply::Report report = apply::apply(rq);
    report.diags.sort();
    err << diag::render_all(report.diags, o.config_dir);
    std::string last_error;
    for (const auto& m : report.messages) {
        if (m.rfind("error: ", 0) == 0) {
            last_error = m.substr(7);
            continue;  // the outcome's message carries it
        }
        if (m.rfind("warning: ", 0) == 0) err << "vuurmuur-script: " << m << "\n";
        else if (o.verbose) out << m << "\n";
    }
    ApplyOutcome outcome;
    if (report.config_errors) {
        outcome.message = "the config tree has " + std::to_string(report.diags.error_count()) +
                          " error(s) (shown above); the running ruleset is unchanged";
    } else if (report.busy) {
        outcome.message = last_error.empty() ? "another apply is running or waits for confirmation" : last_error;
    } else if (report.failed || report.loaded != apply::Loaded::Config) {
        outcome.message = last_error.empty() ? "the apply failed; the running ruleset is unchanged" : last_error;
    } else {
        outcome.applied = true;
    }
    return outcome;
}

}  // namespace vuurmuur::script
