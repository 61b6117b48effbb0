// SPDX-License-Identifier: GPL-2.0-or-later
#include "commands.h"

#include "apply_command.h"
#include "capabilities_command.h"
#include "watch_command.h"
#include "compile_command.h"
#include "edit_commands.h"
#include "json_output.h"
#include "system_commands.h"

#include <ostream>

#include "vuurmuur/base/json.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/view/listing.h"

namespace vuurmuur::script {

namespace {

LoadOptions load_options(const ScriptOptions& o) {
    LoadOptions options;
    if (o.config_file) options.config_file = *o.config_file;
    return options;
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int run_check(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    diag::Diagnostics diags;
    load_and_check(o.config_dir, load_options(o), diags);
    diags.sort();
    if (o.json) {
        write_check_json(diags, o.config_dir, out);
    } else {
        err << diag::render_all(diags, o.config_dir);
        out << o.config_dir << ": " << plural(diags.error_count(), "error") << ", "
            << plural(diags.warning_count(), "warning") << "\n";
    }
    return diags.has_errors() ? kCommandLine : kSuccess;
}

/// -L selectors: "any", a name of the kind, a zone (networks), a zone or network.zone (hosts
/// and groups).
bool is_valid_selector(model::ObjectKind kind, const std::string& selector) {
    using K = model::ObjectKind;
    if (selector == "any" || view::object_file(kind, selector)) return true;
    bool in_zone = kind == K::Network || kind == K::Host || kind == K::Group;
    bool in_network = kind == K::Host || kind == K::Group;
    return (in_zone && view::object_file(K::Zone, selector)) ||
           (in_network && view::object_file(K::Network, selector));
}

int run_list_or_print(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    const std::string kind(model::kind_name(*o.kind));
    // As in the original, "any" in any case selects every object, and -V any every variable.
    const std::string object = base::iequals(o.object, "any") ? "any" : o.object;
    const std::string variable = base::iequals(o.variable, "any") ? "" : o.variable;
    const std::string shown = base::printable(object);
    if (o.mode == Mode::List && !is_valid_selector(*o.kind, object)) {
        err << "vuurmuur-script: error: '" << shown << "' is not a valid " << kind << " selector\n";
        return kCommandLine;
    }
    if (o.mode == Mode::Print) {
        if (object == "any") {
            err << "vuurmuur-script: error: -P prints one " << kind << "; 'any' is not one\n";
            return kCommandLine;
        }
        if (!variable.empty() && model::find_key(*o.kind, variable) == nullptr) {
            err << "vuurmuur-script: error: a " << kind << " has no variable '"
                << base::printable(variable) << "'\n";
            return kCommandLine;
        }
        if (!view::object_file(*o.kind, object)) {
            err << "vuurmuur-script: error: '" << shown << "' is not a valid " << kind << " name\n";
            return kCommandLine;
        }
    }

    diag::Diagnostics diags;
    auto loaded = load_and_check(o.config_dir, load_options(o), diags);
    if (loaded.tree.files.empty() && diags.has_errors()) {
        err << diag::render_all(diags, o.config_dir);
        return kCommandFailed;
    }
    if (o.mode == Mode::List) {
        auto names = view::list_objects(loaded.config, *o.kind, object);
        if (o.json) {
            write_list_json(*o.kind, object, names, out);
            return kSuccess;
        }
        for (const auto& name : names) out << name << "\n";
        return kSuccess;
    }
    if (o.json) {
        auto variables = view::object_variables(loaded.tree, *o.kind, object, variable);
        if (!variables) {
            err << "vuurmuur-script: error: " << kind << " '" << shown << "' not found\n";
            return kNotFound;
        }
        write_print_json(*o.kind, object, *variables, out);
        return kSuccess;
    }
    auto lines = view::print_object(loaded.tree, *o.kind, object, variable, o.rule_numbers);
    if (!lines) {
        err << "vuurmuur-script: error: " << kind << " '" << shown << "' not found\n";
        return kNotFound;
    }
    for (const auto& line : *lines) out << line << "\n";
    return kSuccess;
}

}  // namespace

int run(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    if (int code = check_root(o, err); code != kSuccess) return code;
    try {
        switch (o.mode) {
            case Mode::Help: out << o.help_text; return kSuccess;
            case Mode::Version: out << "vuurmuur-script " << VUURMUUR_VERSION << "\n"; return kSuccess;
            case Mode::Check: return run_check(o, out, err);
            case Mode::Compile: return run_compile(o, out, err);
            case Mode::Apply: return run_apply(o, out, err);
            case Mode::Confirm: return run_confirm(o, out, err);
            case Mode::List:
            case Mode::Print: return run_list_or_print(o, out, err);
            case Mode::Create:
            case Mode::Delete:
            case Mode::Rename:
            case Mode::Modify:
            case Mode::Block:
            case Mode::Unblock:
            case Mode::Reload: return run_edit(o, out, err);
            case Mode::Rules:
                if (o.rules_verb == RulesVerb::List) return run_rules_list(o, out, err);
                return run_edit(o, out, err);
            case Mode::ListBlocked: return run_list_blocked(o, out, err);
            case Mode::Diff: return run_diff(o, out, err);
            case Mode::ListDevices: return run_list_devices(o, out, err);
            case Mode::ListPaths: return run_list_paths(o, out, err);
            case Mode::Capabilities: return run_capabilities(o, out, err);
            case Mode::Watch: return run_watch(o, out, err);
            case Mode::None: break;
        }
    } catch (const io::IoError& e) {
        err << "vuurmuur-script: error: " << e.what() << "\n";
        return kCommandFailed;
    }
    err << "vuurmuur-script: error: nothing to do\n";
    return kCommandLine;
}

}  // namespace vuurmuur::script
