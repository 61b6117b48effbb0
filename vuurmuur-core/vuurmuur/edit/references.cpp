// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/references.h"

#include <algorithm>

#include "vuurmuur/base/strings.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/edit/values.h"
#include "vuurmuur/model/name.h"

namespace vuurmuur::edit {

using model::ObjectKind;
using model::ObjectName;

namespace {

struct Splice {
    std::size_t offset;
    std::size_t length;
    std::string text;
};

/// Where the value of an option written at 1-based `column` starts in `text` (after
/// `name=` and an optional `"` or `\"`), or npos.
std::size_t option_value_offset(std::string_view text, int column) {
    if (column <= 0) return std::string_view::npos;
    std::size_t pos = static_cast<std::size_t>(column - 1);
    std::size_t eq = text.find('=', pos);
    if (eq == std::string_view::npos) return eq;
    std::size_t p = eq + 1;
    if (p + 1 < text.size() && text[p] == '\\' && text[p + 1] == '"') return p + 2;
    if (p < text.size() && text[p] == '"') return p + 1;
    return p;
}

std::string last_part(const std::string& full) {
    auto dot = full.find('.');
    return dot == std::string::npos ? full : full.substr(0, dot);
}

}  // namespace

std::optional<std::string> renamed_word(const ObjectRef& target, const std::string& new_name,
                                        std::string_view word) {
    auto name = ObjectName::parse(word);
    auto old_parts = base::split(target.name, '.');
    auto new_parts = base::split(new_name, '.');
    if (!name || name->kind == ObjectName::Kind::Firewall || name->kind == ObjectName::Kind::Any) {
        return std::nullopt;
    }
    using K = ObjectName::Kind;
    switch (target.kind) {
        case ObjectKind::Zone:
            if (name->zone != target.name) return std::nullopt;
            name->zone = new_name;
            return name->str();
        case ObjectKind::Network:
            if (old_parts.size() != 2 || new_parts.size() != 2) return std::nullopt;
            if (name->kind == K::Zone || name->network != old_parts[0] || name->zone != old_parts[1]) {
                return std::nullopt;
            }
            name->network = new_parts[0];
            name->zone = new_parts[1];
            return name->str();
        case ObjectKind::Host:
        case ObjectKind::Group:
            if (old_parts.size() != 3 || new_parts.size() != 3) return std::nullopt;
            if (name->kind != K::HostOrGroup || name->host != old_parts[0] ||
                name->network != old_parts[1] || name->zone != old_parts[2]) {
                return std::nullopt;
            }
            name->host = new_parts[0];
            name->network = new_parts[1];
            name->zone = new_parts[2];
            return name->str();
        default:
            return std::nullopt;
    }
}

std::optional<std::string> renamed_rule(const ObjectRef& target, const std::string& new_name,
                                        std::string_view value) {
    diag::Diagnostics ignored;
    auto rule = config::parse_rule(value, {"", 1, 1}, ignored);
    if (!rule || rule->is_separator()) return std::nullopt;
    std::vector<Splice> splices;
    auto at = [](int column) { return static_cast<std::size_t>(column - 1); };
    if (target.kind == ObjectKind::Service && rule->service == target.name && rule->columns.service > 0) {
        splices.push_back({at(rule->columns.service), rule->service.size(), new_name});
    }
    for (auto [word, column] : {std::pair{&rule->from, rule->columns.from},
                                std::pair{&rule->to, rule->columns.to}}) {
        if (column <= 0) continue;
        if (auto renamed = renamed_word(target, new_name, *word)) {
            splices.push_back({at(column), word->size(), *renamed});
        }
    }
    if (target.kind == ObjectKind::Interface) {
        for (const auto& [option, column] : rule->columns.options) {
            const model::BoxedOptional<std::string>* current = nullptr;
            if (option == "in_int") current = &rule->options.in_int;
            else if (option == "out_int") current = &rule->options.out_int;
            else if (option == "via_int") current = &rule->options.via_int;
            if (current == nullptr || !*current || **current != target.name) continue;
            std::size_t offset = option_value_offset(value, column);
            if (offset == std::string_view::npos || value.substr(offset, target.name.size()) != target.name) {
                continue;
            }
            splices.push_back({offset, target.name.size(), new_name});
        }
    }
    if (splices.empty()) return std::nullopt;
    std::sort(splices.begin(), splices.end(),
              [](const Splice& a, const Splice& b) { return a.offset > b.offset; });
    std::string out(value);
    for (const auto& s : splices) out.replace(s.offset, s.length, s.text);
    return out;
}

std::vector<Hit> find_references(const config::Tree& tree, const ObjectRef& target,
                                 const std::string& new_name) {
    std::vector<Hit> hits;
    auto index_of = [](const config::KvFile& f, const config::KvLine* line) { return f.index_of(line); };

    if (const config::KvFile* rules = tree.find("rules/rules.conf")) {
        int number = 0;
        for (const config::KvLine* line : rules->entries("RULE")) {
            if (line->value.empty()) continue;
            ++number;
            if (auto renamed = renamed_rule(target, new_name, line->value)) {
                hits.push_back({rules->path(), index_of(*rules, line), "RULE", line->value, *renamed,
                                "rule " + std::to_string(number) + ": " + unescape_rule_value(line->value)});
            }
        }
    }
    if (const config::KvFile* blocklist = tree.find("rules/blocklist.conf")) {
        for (const config::KvLine* line : blocklist->entries("RULE")) {
            std::string_view text = base::trim(line->value);
            std::string prefix;
            if (!text.empty() && text.front() == ';') {
                prefix = ";";
                text = base::trim(text.substr(1));
            }
            if (!base::starts_with_icase(text, "block ")) continue;
            std::string_view item = base::trim(text.substr(6));
            if (auto renamed = renamed_word(target, new_name, item)) {
                hits.push_back({blocklist->path(), index_of(*blocklist, line), "RULE", line->value,
                                prefix + "block " + *renamed,
                                "blocklist entry: " + line->value});
            }
        }
    }
    if (target.kind == ObjectKind::Host) {
        // Members of the groups of the host's network name the host part only.
        auto parts = base::split(target.name, '.');
        if (parts.size() == 3) {
            const std::string dir = "zones/" + parts[2] + "/networks/" + parts[1] + "/groups/";
            const std::string new_member = last_part(new_name);
            for (const auto& [rel, file] : tree.files) {
                if (rel.rfind(dir, 0) != 0) continue;
                std::string group = rel.substr(dir.size());
                group = group.substr(0, group.size() - 6) + "." + parts[1] + "." + parts[2];
                for (const config::KvLine* line : file.entries("MEMBER")) {
                    if (line->value != parts[0]) continue;
                    hits.push_back({rel, index_of(file, line), "MEMBER", line->value, new_member,
                                    "group " + group + ": MEMBER=\"" + line->value + "\""});
                }
            }
        }
    }
    if (target.kind == ObjectKind::Interface) {
        for (const auto& [rel, file] : tree.files) {
            auto parts = base::split(rel, '/');
            if (parts.size() != 5 || parts[0] != "zones" || parts[4] != "network.config") continue;
            for (const config::KvLine* line : file.entries("INTERFACE")) {
                if (line->value != target.name) continue;
                hits.push_back({rel, index_of(file, line), "INTERFACE", line->value, new_name,
                                "network " + parts[3] + "." + parts[1] + ": INTERFACE=\"" +
                                    line->value + "\""});
            }
        }
    }
    return hits;
}

}  // namespace vuurmuur::edit
