// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/render/iptables_restore.h"

#include <unordered_map>

#include "vuurmuur/base/strings.h"

namespace vuurmuur::render {

std::string quote_arg(const std::string& arg) {
    bool needs = arg.empty();
    for (char c : arg) {
        if (c == ' ' || c == '"' || c == '\'' || c == '\\' || c == '\t') needs = true;
    }
    if (!needs) return arg;
    std::string out = "\"";
    for (char c : arg) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

std::string sanitize_text(std::string_view text, std::size_t max_len) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && out.size() < max_len;) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '\'') {
            out += '_';
            ++i;
            continue;
        }
        std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (i + len > text.size() || !base::is_valid_utf8_text(text.substr(i, len)) ||
            out.size() + len > max_len) {
            if (c >= 0x80) {
                out += '_';
                ++i;
                continue;
            }
        }
        out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

namespace {
void append_rule(std::string& out, const ir::Rule& rule) {
    for (const auto& m : rule.matches()) {
        if (!m.module.empty()) out += " -m " + m.module;
        for (const auto& a : m.args) out += " " + quote_arg(a);
    }
    if (rule.target()) {
        out += rule.target()->go_to ? " -g " : " -j ";
        out += rule.target()->name;
        for (const auto& a : rule.target()->args) out += " " + quote_arg(a);
    }
}

/// Renders rules; a rule that the dispatch copied into several chains is rendered once.
class RuleRenderer {
public:
    void render(std::string& out, const std::string& chain, const ir::Rule& rule) {
        out += "-A ";
        out += chain;
        if (rule.is_shared()) {
            auto [it, fresh] = cache_.try_emplace(rule.identity());
            if (fresh) append_rule(it->second, rule);
            out += it->second;
        } else {
            append_rule(out, rule);
        }
        out += '\n';
    }

private:
    std::unordered_map<const void*, std::string> cache_;
};
}  // namespace

std::string rule_text(const ir::Rule& rule) {
    std::string out;
    append_rule(out, rule);
    return out;
}

std::string iptables_restore(const ir::Ruleset& ruleset, const RenderOptions& options) {
    std::string out;
    RuleRenderer renderer;
    if (!options.header.empty()) out += options.header + "\n";
    for (const auto& table : ruleset.tables) {
        out += "*" + table.name + "\n";
        const std::set<std::string>* existing = nullptr;
        if (auto it = options.existing_chains.find(table.name); it != options.existing_chains.end()) {
            existing = &it->second;
        }
        for (const auto& chain : table.chains) {
            switch (chain.kind) {
                case ir::Chain::Kind::Builtin:
                    out += ":" + chain.name + " " + chain.policy + " [0:0]\n";
                    break;
                case ir::Chain::Kind::Owned:
                    out += ":" + chain.name + " - [0:0]\n";
                    break;
                case ir::Chain::Kind::Hook:
                    if (existing == nullptr || existing->count(chain.name) == 0) {
                        out += ":" + chain.name + " - [0:0]\n";
                    }
                    break;
            }
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Builtin) out += "-F " + chain.name + "\n";
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Hook) continue;
            for (const auto& rule : chain.rules) renderer.render(out, chain.name, rule);
        }
        out += "COMMIT\n";
    }
    return out;
}

}  // namespace vuurmuur::render
