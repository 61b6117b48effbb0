// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_output.h"

#include <ostream>

#include "vuurmuur/base/json.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/edit/values.h"

namespace vuurmuur::script {

namespace {

using base::json_quote;

std::string nullable(const std::string* s) { return s ? json_quote(*s) : std::string("null"); }

}  // namespace

void write_check_json(const diag::Diagnostics& diags, const std::string& root, std::ostream& out) {
    out << "{\"version\":1,\"config_dir\":" << json_quote(root)
        << ",\"errors\":" << diags.error_count() << ",\"warnings\":" << diags.warning_count()
        << ",\"diagnostics\":[";
    bool first = true;
    for (const auto& d : diags.all()) {
        out << (first ? "" : ",") << "{\"severity\":"
            << (d.severity == diag::Severity::Error ? "\"error\"" : "\"warning\"")
            << ",\"code\":" << json_quote(diag::slug(d.code))
            << ",\"file\":" << json_quote(d.location.file) << ",\"line\":" << d.location.line
            << ",\"column\":" << d.location.column << ",\"message\":" << json_quote(d.message)
            << ",\"hint\":" << json_quote(d.hint) << "}";
        first = false;
    }
    out << "]}\n";
}

void write_list_json(model::ObjectKind kind, const std::string& filter,
                     const std::vector<std::string>& names, std::ostream& out) {
    out << "{\"version\":1,\"kind\":" << json_quote(model::kind_name(kind))
        << ",\"filter\":" << json_quote(filter) << ",\"names\":[";
    for (std::size_t i = 0; i < names.size(); ++i) out << (i ? "," : "") << json_quote(names[i]);
    out << "]}\n";
}

void write_print_json(model::ObjectKind kind, const std::string& name,
                      const std::vector<view::Variable>& variables, std::ostream& out) {
    out << "{\"version\":1,\"kind\":" << json_quote(model::kind_name(kind))
        << ",\"name\":" << json_quote(name) << ",\"variables\":{";
    bool first = true;
    for (const auto& v : variables) {
        out << (first ? "" : ",") << json_quote(v.key) << ":";
        first = false;
        if (!v.multi) {
            out << json_quote(v.values.empty() ? std::string() : v.values.front());
            continue;
        }
        out << "[";
        for (std::size_t i = 0; i < v.values.size(); ++i) {
            // Rules are given as a person writes them (the file escapes inner quotes).
            std::string value = kind == model::ObjectKind::Ruleset
                                    ? edit::unescape_rule_value(v.values[i])
                                    : v.values[i];
            out << (i ? "," : "") << json_quote(value);
        }
        out << "]";
    }
    out << "}}\n";
}

void write_rules_json(const std::vector<edit::RuleEntry>& rules, std::ostream& out) {
    out << "{\"version\":1,\"rules\":[";
    bool first = true;
    for (const auto& e : rules) {
        const model::Rule* r = e.rule ? &*e.rule : nullptr;
        const bool rule_line = r != nullptr && !r->is_separator();
        std::string action = r ? std::string(model::action_name(r->action)) : std::string();
        std::string text = e.text;
        if (!e.active) {
            auto semi = text.find(';');
            if (semi != std::string::npos) text.erase(0, semi + 1);
        }
        out << (first ? "" : ",") << "{\"number\":" << e.number << ",\"line\":" << e.line
            << ",\"active\":" << (e.active ? "true" : "false")
            << ",\"valid\":" << (r ? "true" : "false")
            << ",\"text\":" << json_quote(text)
            << ",\"action\":" << nullable(r ? &action : nullptr)
            << ",\"service\":" << nullable(rule_line ? &r->service : nullptr)
            << ",\"from\":" << nullable(rule_line ? &r->from : nullptr)
            << ",\"to\":" << nullable(rule_line ? &r->to : nullptr)
            << ",\"comment\":"
            << nullable(r && r->options.comment ? &*r->options.comment : nullptr) << "}";
        first = false;
    }
    out << "]}\n";
}

void write_blocked_json(const std::vector<edit::BlockEntry>& entries, std::ostream& out) {
    out << "{\"version\":1,\"blocked\":[";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        out << (i ? "," : "") << "{\"item\":" << json_quote(e.item)
            << ",\"active\":" << (e.active ? "true" : "false") << ",\"line\":" << e.line << "}";
    }
    out << "]}\n";
}

}  // namespace vuurmuur::script
