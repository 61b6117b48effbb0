// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/netfilter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

namespace vuurmuur::apply {

bool kernel_has_ipv6() {
    struct stat st {};
    return ::stat("/proc/sys/net/ipv6", &st) == 0;
}

namespace {

namespace fs = std::filesystem;

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return !path.empty() && path.front() == '/' && ::stat(path.c_str(), &st) == 0 &&
           S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string search_sbin(const std::string& name) {
    for (const char* dir : {"/usr/sbin/", "/sbin/"}) {
        std::string p = dir + name;
        if (is_executable_file(p)) return p;
    }
    return {};
}

/// The configured restore program, or the fallback by its standard name.
std::string find_restore(const std::string& configured, const std::string& key,
                         const std::string& standard, std::vector<std::string>& notes) {
    if (is_executable_file(configured)) return configured;
    std::string found = search_sbin(standard);
    if (!found.empty()) {
        notes.push_back(key + " " + (configured.empty() ? std::string("(empty)") : "'" + configured + "'") +
                        " is not an executable file; using " + found);
    }
    return found;
}

/// "…/iptables-legacy-restore" -> "…/iptables-legacy-save" when that exists; else the
/// standard save program next to it, then in /usr/sbin:/sbin.
std::string find_save(const std::string& restore, const std::string& standard) {
    fs::path p(restore);
    std::string base = p.filename().string();
    auto pos = base.rfind("restore");
    if (pos != std::string::npos) {
        std::string sibling = (p.parent_path() / (base.substr(0, pos) + "save" + base.substr(pos + 7))).string();
        if (is_executable_file(sibling)) return sibling;
    }
    std::string same_dir = (p.parent_path() / standard).string();
    if (is_executable_file(same_dir)) return same_dir;
    return search_sbin(standard);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

std::optional<int> number_at(const std::string& text, std::size_t pos) {
    std::size_t end = pos;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
    if (end == pos || end - pos > 9) return std::nullopt;
    return std::stoi(text.substr(pos, end - pos));
}

}  // namespace

std::optional<Tools> resolve_tools(const model::Settings& settings, std::vector<std::string>& notes,
                                   std::string& error) {
    Tools tools;
    struct Want {
        FamilyTools& into;
        const std::string& configured;
        const char* key;
        const char* restore;
        const char* save;
    };
    const Want wants[] = {
        {tools.ipv4, settings.iptables_restore, "IPTABLES_RESTORE", "iptables-restore", "iptables-save"},
        {tools.ipv6, settings.ip6tables_restore, "IP6TABLES_RESTORE", "ip6tables-restore", "ip6tables-save"},
    };
    for (const auto& w : wants) {
        w.into.restore = find_restore(w.configured, w.key, w.restore, notes);
        if (w.into.restore.empty()) {
            error = std::string(w.key) + " '" + w.configured + "' is not an executable file and no " +
                    w.restore + " was found in /usr/sbin or /sbin";
            return std::nullopt;
        }
        w.into.save = find_save(w.into.restore, w.save);
        if (w.into.save.empty()) {
            error = std::string("no ") + w.save + " next to " + w.into.restore + " nor in /usr/sbin or /sbin";
            return std::nullopt;
        }
    }
    return tools;
}

Variant detect_variant(const std::string& restore_program) {
    ExecResult r = run_program({restore_program, "--version"}, {}, std::chrono::seconds{30});
    const std::string text = r.out + r.err;
    if (text.find("nf_tables") != std::string::npos) return Variant::Nft;
    if (text.find("legacy") != std::string::npos) return Variant::Legacy;
    return Variant::Unknown;
}

const char* variant_name(Variant v) {
    switch (v) {
        case Variant::Nft: return "nf_tables";
        case Variant::Legacy: return "legacy";
        case Variant::Unknown: break;
    }
    return "unknown";
}

ExecResult run_save(const Tools& tools, ir::Family f) {
    return run_program({tools.of(f).save, "-c"});
}

ExecResult run_restore(const Tools& tools, ir::Family f, const std::string& text, LoadMode mode) {
    std::vector<std::string> argv{tools.of(f).restore, "--wait=30"};
    switch (mode) {
        case LoadMode::Test: argv.insert(argv.end(), {"--test", "--noflush"}); break;
        case LoadMode::NoFlush: argv.push_back("--noflush"); break;
        case LoadMode::Replace: argv.push_back("--counters"); break;
    }
    return run_program(argv, text);
}

std::vector<TableSection> split_tables(const std::string& text) {
    std::vector<TableSection> tables;
    TableSection* current = nullptr;
    for (const auto& line : lines_of(text)) {
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '*') {
            tables.push_back(TableSection{line.substr(1), line + "\n", {}});
            current = &tables.back();
            continue;
        }
        if (current == nullptr) continue;
        current->text += line + "\n";
        if (line.front() == ':') {
            std::istringstream in(line.substr(1));
            std::string name, policy;
            in >> name >> policy;
            current->chains.emplace_back(name, policy);
        } else if (line == "COMMIT") {
            current = nullptr;
        }
    }
    return tables;
}

ChainDeclaration chain_declaration(std::string_view line) {
    line.remove_prefix(std::min<std::size_t>(1, line.size()));  // ':'
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return {line, {}};
    const std::string_view rest = line.substr(space + 1);
    return {line.substr(0, space), rest.substr(0, rest.find(' '))};
}

std::string_view without_counters(std::string_view line) {
    if (line.empty() || line.front() != '[') return line;
    const std::size_t close = line.find("] ");
    return close == std::string_view::npos ? line : line.substr(close + 2);
}

std::map<std::string, std::set<std::string>> existing_chains(const std::string& save_text) {
    std::map<std::string, std::set<std::string>> out;
    std::set<std::string>* chains = nullptr;
    for_each_line(save_text, [&](std::string_view line) {
        if (line.empty()) return;
        if (line.front() == '*') {
            chains = &out[std::string(line.substr(1))];
        } else if (line.front() == ':' && chains != nullptr) {
            chains->emplace(chain_declaration(line).name);
        }
    });
    return out;
}

std::optional<int> failing_line(const std::string& stderr_text) {
    static const std::string occurred = "Error occurred at line: ";
    if (auto pos = stderr_text.find(occurred); pos != std::string::npos) {
        return number_at(stderr_text, pos + occurred.size());
    }
    // "iptables-restore: line 5 failed" (legacy) and "line 3: RULE_APPEND failed" (nft).
    std::size_t pos = 0;
    while ((pos = stderr_text.find("line ", pos)) != std::string::npos) {
        bool word_start = pos == 0 || std::isalpha(static_cast<unsigned char>(stderr_text[pos - 1])) == 0;
        pos += 5;
        if (!word_start) continue;
        auto n = number_at(stderr_text, pos);
        if (!n) continue;
        std::size_t after = pos + std::to_string(*n).size();
        if (stderr_text.compare(after, 1, ":") == 0 || stderr_text.compare(after, 7, " failed") == 0) return n;
    }
    return std::nullopt;
}

std::string rollback_text(const std::string& saved, const std::string& loaded, Variant variant) {
    auto before = split_tables(saved);
    std::string out;
    std::set<std::string> done;
    for (const auto& t : split_tables(loaded)) {
        if (!done.insert(t.name).second) continue;
        const TableSection* old = nullptr;
        for (const auto& b : before) {
            if (b.name == t.name) old = &b;
        }
        if (old != nullptr) {
            out += old->text;
            continue;
        }
        out += "*" + t.name + "\n";
        if (variant == Variant::Legacy) {
            for (const auto& [name, policy] : t.chains) {
                if (policy != "-") out += ":" + name + " ACCEPT [0:0]\n";
            }
        }
        out += "COMMIT\n";
    }
    return out;
}

std::string normalize_save(const std::string& save_text) {
    std::string out;
    for (auto line : lines_of(save_text)) {
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '[') {
            line = std::string(without_counters(line));
        } else if (line.front() == ':') {
            auto open = line.rfind(" [");
            if (open != std::string::npos && line.back() == ']') line = line.substr(0, open) + " [0:0]";
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace vuurmuur::apply
