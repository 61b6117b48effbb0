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
    load.keep_tree = false;  // only the model is needed: each file is released once built
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
    // One family at a time: each is compiled, written and released before the next, so the
    // IR of only one family exists at a time. The compiler's warnings follow the output.
    diag::Diagnostics compile_diags;
    for (ir::Family family : {ir::Family::Ipv4, ir::Family::Ipv6}) {
        bool wanted = family == ir::Family::Ipv4 ? copts.ipv4 : copts.ipv6;
        if (!wanted) continue;
        ir::Ruleset rs = compile::compile_family(loaded.config, family, copts, compile_diags);
        if (o.dump == "ir") {
            out << ir::dump(rs);
            continue;
        }
        render::RenderOptions ropts;
        ropts.header = "# vuurmuur " + std::string(VUURMUUR_VERSION) + " " +
                       std::string(ir::family_name(family)) +
                       " ruleset; load with " +
                       (family == ir::Family::Ipv4 ? "iptables-restore" : "ip6tables-restore") +
                       " --noflush";
        render::iptables_restore(rs, ropts, [&](std::string_view chunk) { out << chunk; });
    }
    compile_diags.sort();
    err << diag::render_all(compile_diags, o.config_dir);
    return kSuccess;
}

}  // namespace vuurmuur::script
