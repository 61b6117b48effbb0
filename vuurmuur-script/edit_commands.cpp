// SPDX-License-Identifier: GPL-2.0-or-later
#include "edit_commands.h"

#include <cstdio>
#include <optional>
#include <ostream>

#include "apply_hook.h"
#include "json_output.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/edit/editor.h"
#include "vuurmuur/edit/rulesets.h"

namespace vuurmuur::script {

namespace {

constexpr const char* kProgram = "vuurmuur-script";

/// Syslog, plus stdout with -v (the original's -v prints its log lines too).
edit::AuditSink audit_sink(const ScriptOptions& o, std::ostream& out) {
    edit::AuditSink syslog = edit::syslog_sink(kProgram);
    if (!o.verbose) return syslog;
    return [syslog, &out](const edit::AuditRecord& record) {
        syslog(record);
        out << "audit: " << edit::format(record) << "\n";
    };
}

edit::Result dispatch(edit::Editor& editor, const ScriptOptions& o) {
    const std::string value = o.value.value_or(std::string());
    switch (o.mode) {
        case Mode::Create: return editor.create(*o.kind, o.object);
        case Mode::Delete: return editor.remove(*o.kind, o.object, o.force);
        case Mode::Rename: return editor.rename(*o.kind, o.object, value);
        case Mode::Modify:
            return editor.modify(*o.kind, o.object, o.variable, value,
                                 o.append ? edit::WriteMode::Append : edit::WriteMode::Overwrite);
        case Mode::Block: return editor.block(o.item);
        case Mode::Unblock: return editor.unblock(o.item);
        case Mode::Rules:
            switch (o.rules_verb) {
                case RulesVerb::Add: return editor.rule_add(o.rule_text, o.at);
                case RulesVerb::Move: return editor.rule_move(o.rule_a, o.rule_b);
                case RulesVerb::Activate: return editor.rule_set_active(o.rule_a, true);
                case RulesVerb::Deactivate: return editor.rule_set_active(o.rule_a, false);
                case RulesVerb::Delete: return editor.rule_delete(o.rule_a);
                case RulesVerb::List: break;
            }
            break;
        default: break;
    }
    return edit::fail(edit::Status::Internal, "no editing command");
}

}  // namespace

int run_edit(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    if (o.mode != Mode::Reload) {
        config::Store store(o.config_dir);
        edit::Editor editor(store, audit_sink(o, out), edit::current_user());
        edit::Result result = dispatch(editor, o);
        if (!result.ok()) {
            err << kProgram << ": error: " << result.message << "\n";
            for (const auto& ref : result.referrers) err << "  " << ref.str() << "\n";
            return edit::exit_code(result.status);
        }
        if (o.mode == Mode::Delete && !result.referrers.empty()) {
            err << kProgram << ": warning: " << result.message << "\n";
            for (const auto& ref : result.referrers) err << "  " << ref.str() << "\n";
        }
        if (o.verbose) out << result.message << "\n";
    }
    const bool implicit = o.mode == Mode::Block || o.mode == Mode::Unblock;
    const bool wanted = o.mode == Mode::Reload || o.apply == ApplyChoice::Yes ||
                        (implicit && o.apply == ApplyChoice::Default);
    if (!wanted) return kSuccess;
    ApplyOutcome applied = request_apply(o, out, err);
    if (applied.applied) return kSuccess;
    // As in the original: the change is saved, the failed apply is exit 2.
    err << kProgram << ": error: not applied: " << applied.message << "\n";
    return kCommandFailed;
}

/// The tree for a read-only listing; nullopt (reported on `err`) when nothing could be read.
std::optional<config::Tree> load_tree(const ScriptOptions& o, std::ostream& err) {
    diag::Diagnostics diags;
    config::Store store(o.config_dir);
    auto tree = store.load(diags);
    if (tree.files.empty() && diags.has_errors()) {
        err << diag::render_all(diags, o.config_dir);
        return std::nullopt;
    }
    return tree;
}

int run_rules_list(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    auto tree = load_tree(o, err);
    if (!tree) return kCommandFailed;
    auto rules = edit::list_rules(*tree);
    if (o.json) {
        write_rules_json(rules, out);
        return kSuccess;
    }
    for (const auto& r : rules) {
        char number[32];
        std::snprintf(number, sizeof number, "%4zu: ", r.number);
        out << number << r.text << "\n";
    }
    return kSuccess;
}

int run_list_blocked(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    auto tree = load_tree(o, err);
    if (!tree) return kCommandFailed;
    auto entries = edit::list_blocked(*tree);
    if (o.json) {
        write_blocked_json(entries, out);
        return kSuccess;
    }
    for (const auto& e : entries) out << (e.active ? "" : ";") << e.item << "\n";
    return kSuccess;
}

}  // namespace vuurmuur::script
