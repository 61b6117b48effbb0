// SPDX-License-Identifier: GPL-2.0-or-later
#include "system_commands.h"

#include <unistd.h>

#include <ostream>

#include "vuurmuur/apply/devices.h"
#include "vuurmuur/apply/drift.h"
#include "vuurmuur/base/json.h"
#include "vuurmuur/base/strings.h"

namespace vuurmuur::script {

namespace {

/// Lines shown per chain by `diff` without -v (the JSON always has every line).
constexpr std::size_t kShownLines = 40;

const char* what_needs_root(const ScriptOptions& o) {
    switch (o.mode) {
        case Mode::Apply: return "apply";
        case Mode::Confirm: return "confirm";
        case Mode::Diff: return "diff";
        case Mode::Capabilities: return "capabilities";
        case Mode::Watch: return "watch";
        case Mode::Reload: return "--reload";
        case Mode::Block: return "--block (it applies unless --no-apply)";
        case Mode::Unblock: return "--unblock (it applies unless --no-apply)";
        default: return "--apply";
    }
}

std::string rules(std::size_t n) { return std::to_string(n) + (n == 1 ? " rule" : " rules"); }

void write_diff_text(const apply::DriftReport& r, bool verbose, std::ostream& out) {
    for (const auto& c : r.chains) {
        out << c.family << " " << c.table << " " << c.chain << ": ";
        if (c.status == apply::ChainDrift::Status::MissingInKernel) {
            out << "not in the kernel (" << rules(c.added) << " to add)\n";
        } else {
            std::string sep;
            if (c.kernel_policy != c.config_policy) {
                out << "policy " << c.kernel_policy << " in the kernel, " << c.config_policy << " in the config";
                sep = "; ";
            }
            if (c.removed != 0 || c.added != 0) {
                out << sep << rules(c.removed) << " only in the kernel, " << rules(c.added) << " only in the config";
            }
            out << "\n";
        }
        std::size_t shown = 0;
        for (const auto& l : c.lines) {
            if (!verbose && shown == kShownLines) {
                out << "  ... " << (c.lines.size() - shown) << " more lines (-v shows all)\n";
                break;
            }
            out << "  " << l.op << " " << base::printable(l.text, 4096) << "\n";
            ++shown;
        }
    }
    std::string families;
    for (const auto& f : r.families) families += (families.empty() ? "" : ", ") + f;
    if (r.chains.empty()) {
        out << "diff: the kernel runs what the tree compiles to (" << families << ")\n";
    } else {
        out << "diff: " << r.chains.size() << (r.chains.size() == 1 ? " chain differs" : " chains differ")
            << " (" << families << ")\n";
    }
}

void write_diff_json(const apply::DriftReport& r, std::ostream& out) {
    using base::json_quote;
    out << "{\"version\":1,\"equal\":" << (r.chains.empty() ? "true" : "false") << ",\"families\":[";
    for (std::size_t i = 0; i < r.families.size(); ++i) out << (i ? "," : "") << json_quote(r.families[i]);
    out << "],\"chains\":[";
    bool first = true;
    for (const auto& c : r.chains) {
        out << (first ? "" : ",") << "{\"family\":" << json_quote(c.family) << ",\"table\":" << json_quote(c.table)
            << ",\"chain\":" << json_quote(c.chain) << ",\"status\":"
            << (c.status == apply::ChainDrift::Status::MissingInKernel ? "\"missing-in-kernel\"" : "\"differs\"")
            << ",\"kernel_policy\":"
            << (c.status == apply::ChainDrift::Status::MissingInKernel ? std::string("null")
                                                                       : json_quote(c.kernel_policy))
            << ",\"config_policy\":" << json_quote(c.config_policy) << ",\"only_in_kernel\":" << c.removed
            << ",\"only_in_config\":" << c.added << ",\"lines\":[";
        for (std::size_t i = 0; i < c.lines.size(); ++i) {
            out << (i ? "," : "") << "{\"op\":\"" << c.lines[i].op << "\",\"rule\":" << json_quote(c.lines[i].text)
                << "}";
        }
        out << "]}";
        first = false;
    }
    out << "]}\n";
}

}  // namespace

int check_root(const ScriptOptions& o, std::ostream& err) {
    if (!needs_kernel(o) || ::geteuid() == 0) return kSuccess;
    err << "vuurmuur-script: error: " << what_needs_root(o)
        << " needs root: it reads or changes the running firewall (nothing was changed)";
    if (o.mode == Mode::Block || o.mode == Mode::Unblock) err << "; --no-apply only edits the blocklist";
    err << "\n";
    return kCommandLine;
}

int run_diff(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    LoadOptions options;
    if (o.config_file) options.config_file = *o.config_file;
    apply::DriftReport r = apply::drift(o.config_dir, options);
    r.diags.sort();
    if (r.diags.has_errors()) {
        err << diag::render_all(r.diags, o.config_dir);
        err << "vuurmuur-script: error: diff: the config tree has errors; nothing was compared\n";
        return kCommandFailed;
    }
    if (!r.error.empty()) {
        err << "vuurmuur-script: error: diff: " << base::printable(r.error) << "\n";
        return kCommandFailed;
    }
    err << diag::render_all(r.diags, o.config_dir);  // warnings
    if (o.json) write_diff_json(r, out);
    else write_diff_text(r, o.verbose, out);
    return r.chains.empty() ? kSuccess : kCommandLine;
}

int run_list_devices(const ScriptOptions& /*o*/, std::ostream& out, std::ostream& /*err*/) {
    for (const auto& d : apply::list_devices()) out << base::printable(apply::device_line(d)) << "\n";
    return kSuccess;
}

int run_list_paths(const ScriptOptions& o, std::ostream& out, std::ostream& /*err*/) {
    const std::string dir = o.config_dir;
    out << VM_SYSCONFDIR << "\n"
        << dir << "\n"
        << (o.config_file ? *o.config_file : dir + "/config.conf") << "\n"
        << dir + "/plugins" << "\n"
        << VM_DATADIR << "\n";
    return kSuccess;
}

}  // namespace vuurmuur::script
