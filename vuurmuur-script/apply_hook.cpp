// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_hook.h"

#include <ostream>

#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/blocklist_live.h"

namespace vuurmuur::script {

namespace {

/// --block / --unblock: only the blocklist chains are reloaded (apply/blocklist_live.h).
ApplyOutcome update_blocklist(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    apply::BlockUpdate u = apply::update_blocklist(o.config_dir, o.state_dir);
    u.diags.sort();
    err << diag::render_all(u.diags, o.config_dir);
    std::string last_error;
    for (const auto& m : u.messages) {
        if (m.rfind("error: ", 0) == 0) last_error = m.substr(7);
        else if (m.rfind("warning: ", 0) == 0) err << "vuurmuur-script: " << m << "\n";
        else if (o.verbose) out << m << "\n";
    }
    ApplyOutcome outcome;
    if (u.loaded) {
        outcome.applied = true;
    } else if (u.no_ruleset) {
        outcome.applied = true;  // nothing runs that could be updated: not a failure
        err << "vuurmuur-script: note: no Vuurmuur ruleset is loaded; the blocklist takes effect "
               "with the next apply\n";
    } else if (u.config_errors) {
        outcome.message = "the config tree has " + std::to_string(u.diags.error_count()) +
                          " error(s) (shown above); the running ruleset is unchanged";
    } else {
        outcome.message = last_error.empty() ? "the blocklist update failed; the running ruleset is unchanged"
                                             : last_error;
    }
    return outcome;
}

}  // namespace

ApplyOutcome request_apply(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    if ((o.mode == Mode::Block || o.mode == Mode::Unblock) && o.apply != ApplyChoice::Yes) {
        return update_blocklist(o, out, err);
    }
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
