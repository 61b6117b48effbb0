// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/render/iptables_restore.h"


#include "vuurmuur/base/strings.h"

namespace vuurmuur::render {

std::string quote_arg(const std::string& arg) { return ir::quote_arg(arg); }

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
    rule.append_matches(out);
    if (rule.target()) {
        out += rule.target()->go_to ? " -g " : " -j ";
        out += rule.target()->name;
        for (const auto& a : rule.target()->args) {
            out += ' ';
            out += quote_arg(a);
        }
    }
}

void render_rule(std::string& out, const std::string& chain, const ir::Rule& rule) {
    out += "-A ";
    out += chain;
    append_rule(out, rule);
    out += '\n';
}
}  // namespace

std::string rule_text(const ir::Rule& rule) {
    std::string out;
    append_rule(out, rule);
    return out;
}

void iptables_restore(const ir::Ruleset& ruleset, const RenderOptions& options,
                      const std::function<void(std::string_view)>& write) {
    // Written in chunks, so a large ruleset never has to exist as one string.
    constexpr std::size_t kChunk = 64 * 1024;
    std::string out;
    out.reserve(kChunk + 4096);
    auto flush = [&](bool force) {
        if (force || out.size() >= kChunk) {
            if (!out.empty()) write(out);
            out.clear();
        }
    };
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
            flush(false);
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Builtin) out += "-F " + chain.name + "\n";
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Hook) continue;
            for (const auto& rule : chain.rules) {
                render_rule(out, chain.name, rule);
                flush(false);
            }
        }
        out += "COMMIT\n";
    }
    flush(true);
}

std::string iptables_restore(const ir::Ruleset& ruleset, const RenderOptions& options) {
    std::string text;
    iptables_restore(ruleset, options, [&](std::string_view chunk) { text.append(chunk); });
    return text;
}

}  // namespace vuurmuur::render
