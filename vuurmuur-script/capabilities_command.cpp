// SPDX-License-Identifier: GPL-2.0-or-later
#include "capabilities_command.h"

#include <ostream>

#include "vuurmuur/apply/capabilities.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/pipeline.h"

namespace vuurmuur::script {

int run_capabilities(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    // Only the settings matter (IPTABLES_RESTORE, IP6TABLES_RESTORE): problems of the rest of
    // the tree do not stop the probe.
    diag::Diagnostics diags;
    LoadOptions lo;
    if (o.config_file) lo.config_file = *o.config_file;
    Loaded loaded = load_and_check(o.config_dir, lo, diags);
    std::vector<std::string> notes;
    std::string error;
    auto tools = apply::resolve_tools(loaded.config.settings, notes, error);
    for (const auto& n : notes) err << "vuurmuur-script: warning: " << n << "\n";
    if (!tools) {
        err << "vuurmuur-script: error: " << error << "\n";
        return kCommandFailed;
    }
    apply::Capabilities caps = apply::probe_capabilities(*tools);
    if (o.json) out << apply::capabilities_json(caps) << "\n";
    else out << apply::format_capabilities(caps);
    // The table says what is missing; a missing required feature is also named on stderr
    // (apply cannot work then), but the probe itself succeeded.
    for (ir::Family f : {ir::Family::Ipv4, ir::Family::Ipv6}) {
        for (const auto& m : caps.missing_required(f)) {
            err << "vuurmuur-script: warning: " << ir::family_name(f) << ": required " << m
                << " is missing: apply cannot load a ruleset\n";
        }
    }
    return kSuccess;
}

}  // namespace vuurmuur::script
