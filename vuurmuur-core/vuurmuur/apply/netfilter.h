// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/apply/exec.h"
#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/settings.h"

/// The `restore` backend: iptables-save / iptables-restore (and the ip6tables ones) run as
/// programs, plus the text handling around them (tables and chains of a save, the failing
/// line of an error, the text that puts saved tables back).
namespace vuurmuur::apply {

/// The programs of one family.
struct FamilyTools {
    std::string restore;  ///< e.g. /usr/sbin/iptables-restore
    std::string save;     ///< e.g. /usr/sbin/iptables-save
};

struct Tools {
    FamilyTools ipv4;
    FamilyTools ipv6;
    const FamilyTools& of(ir::Family f) const { return f == ir::Family::Ipv4 ? ipv4 : ipv6; }
};

/// IPTABLES_RESTORE / IP6TABLES_RESTORE from config.conf when they name an executable file,
/// else `iptables-restore` / `ip6tables-restore` in /usr/sbin, then /sbin. The save program is
/// the restore program's sibling with "restore" replaced by "save" (so a configured
/// iptables-legacy-restore pairs with iptables-legacy-save), else `iptables-save` /
/// `ip6tables-save` found the same way. nullopt with `error` when a program is missing;
/// `notes` tells about every fallback taken.
std::optional<Tools> resolve_tools(const model::Settings& settings, std::vector<std::string>& notes,
                                   std::string& error);

/// Whether the running kernel has IPv6 (/proc/sys/net/ipv6 exists): without it the IPv6
/// family is neither probed, compared nor loaded.
bool kernel_has_ipv6();

/// The iptables variant behind a restore program, from its --version output.
enum class Variant { Nft, Legacy, Unknown };
Variant detect_variant(const std::string& restore_program);
const char* variant_name(Variant v);

/// How a text is loaded.
enum class LoadMode {
    Test,     ///< --test --noflush: parse and check only, nothing changes
    NoFlush,  ///< --noflush: the ruleset's own -F and chain declarations decide what is flushed
    Replace,  ///< --counters, no --noflush: every table named is replaced as a whole
};

/// Runs the family's save program with -c.
ExecResult run_save(const Tools& tools, ir::Family f);
/// Runs the family's restore program with `text` on stdin.
ExecResult run_restore(const Tools& tools, ir::Family f, const std::string& text, LoadMode mode);

/// One "*table ... COMMIT" section of a save or restore text.
struct TableSection {
    std::string name;
    std::string text;  ///< from "*name" to "COMMIT", each line ending in '\n'
    std::vector<std::pair<std::string, std::string>> chains;  ///< declared: name, policy ("-" for user chains)
};

/// The table sections of `text` in order; comment lines and lines outside sections are left out.
std::vector<TableSection> split_tables(const std::string& text);

/// Calls `fn` with each line of `text` (a std::string_view, without its '\n').
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        fn(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

/// A chain declaration line (":NAME POLICY [p:b]"): its name and policy ("-" for a user
/// chain; empty when the line has none).
struct ChainDeclaration {
    std::string_view name;
    std::string_view policy;
};
ChainDeclaration chain_declaration(std::string_view line);

/// A rule line of `save -c` without its counters ("[12:345] -A ..." -> "-A ..."); other lines
/// as they are.
std::string_view without_counters(std::string_view line);

/// Chains per table of a save output (what RenderOptions::existing_chains wants), every table
/// listed even without chains. Read in place: a save of a large ruleset is not copied.
std::map<std::string, std::set<std::string>> existing_chains(const std::string& save_text);

/// The input line an iptables-restore error names: "Error occurred at line: N",
/// "line N failed" (legacy, at COMMIT) or "line N: ..." (nft, kernel refused a rule).
std::optional<int> failing_line(const std::string& stderr_text);

/// Text for a LoadMode::Replace load that puts back, for every table `loaded` names, what
/// `saved` (save output) held: the table's section from `saved`, or, for a table that did not
/// exist before, an empty table (with nft this removes it; with legacy its built-in chains
/// are declared with policy ACCEPT, as a fresh table has them). Tables `loaded` does not name
/// are left out, so they stay untouched. Empty when `loaded` names no table.
std::string rollback_text(const std::string& saved, const std::string& loaded, Variant variant);

/// Save output for comparisons: '#' lines dropped, chain counters "[p:b]" zeroed, and rule
/// counters ("[p:b] -A ...", from save -c) removed.
std::string normalize_save(const std::string& save_text);

}  // namespace vuurmuur::apply
