// SPDX-License-Identifier: GPL-2.0-or-later
#include "compile_command.h"

#include <ostream>

#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/model/dump.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace vuurmuur::script {

int run_compile(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    diag::Diagnostics diags;
    LoadOptions load;
    if (o.config_file) load.config_file = *o.config_file;
    auto loaded = load_and_check(o.config_dir, load, diags);
    diags.sort();
    err << diag::render_all(diags, o.config_dir);
    if (diags.has_errors()) {
        err << "vuurmuur-script: error: the config has errors; nothing compiled\n";
        return kCommandLine;
    }
    if (o.dump == "model") {
        out << model::dump(loaded.config);
        return kSuccess;
    }
    compile::CompileOptions copts;
    copts.ipv4 = o.family.empty() || o.family == "ipv4";
    copts.ipv6 = o.family.empty() || o.family == "ipv6";
    diag::Diagnostics compile_diags;
    auto compiled = compile::compile(loaded.config, copts, compile_diags);
    compile_diags.sort();
    err << diag::render_all(compile_diags, o.config_dir);
    for (const ir::Ruleset* rs : {&compiled.ipv4, &compiled.ipv6}) {
        bool wanted = rs->family == ir::Family::Ipv4 ? copts.ipv4 : copts.ipv6;
        if (!wanted) continue;
        if (o.dump == "ir") {
            out << ir::dump(*rs);
            continue;
        }
        render::RenderOptions ropts;
        ropts.header = "# vuurmuur " + std::string(VUURMUUR_VERSION) + " " +
                       std::string(ir::family_name(rs->family)) +
                       " ruleset; load with " +
                       (rs->family == ir::Family::Ipv4 ? "iptables-restore" : "ip6tables-restore") +
                       " --noflush";
        render::iptables_restore(*rs, ropts, [&](std::string_view chunk) { out << chunk; });
    }
    return kSuccess;
}

}  // namespace vuurmuur::script
