// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/model/schema.h"

/// argv -> ScriptOptions. Parsing never exits; main() decides.
namespace vuurmuur::script {

/// Exit codes of the original vuurmuur_script (reference §4.2).
enum ExitCode : int {
    kSuccess = 0,
    kCommandLine = 1,
    kCommandFailed = 2,
    kNotFound = 3,
    kAlreadyExists = 4,
    kDataInconsistency = 6,
    kInternal = 254,
};

enum class Mode {
    None, List, Print, Check, Compile, Help, Version,
    Create, Delete, Rename, Modify,   // -C -D -R -M
    Block, Unblock, ListBlocked,      // --block --unblock --list-blocked
    Rules,                            // rules list|add|move|activate|deactivate|delete
    Reload,                           // --reload: apply only
    Apply, Confirm,                   // apply [--test|--confirm N|--boot], confirm
    Diff,                             // diff: kernel vs compiled tree
    Capabilities,                     // capabilities: what the kernel and iptables can do
    Watch,                            // watch: re-apply on address changes
    ListDevices, ListPaths,           // --list-devices, --list-paths (the wizard's helpers)
};

/// --apply / --no-apply; block, unblock and reload apply unless --no-apply, the rest only
/// with --apply (as in the original).
enum class ApplyChoice { Default, Yes, No };

enum class RulesVerb { List, Add, Move, Activate, Deactivate, Delete };

struct ScriptOptions {
    Mode mode = Mode::None;
    std::string config_dir = "/etc/vuurmuur";
    std::optional<std::string> config_file;  ///< -c: settings from this config.conf
    std::optional<model::ObjectKind> kind;
    std::string object;        ///< the name after -o/-g/-n/-z/-s/-i/-r
    std::string variable;      ///< -V
    std::optional<std::string> value;  ///< -S
    bool append = false;       ///< -A/--append (else overwrite)
    bool force = false;        ///< -D --force
    std::string item;          ///< --block / --unblock
    ApplyChoice apply = ApplyChoice::Default;
    RulesVerb rules_verb = RulesVerb::List;
    std::string rule_text;     ///< rules add TEXT
    std::size_t rule_a = 0;    ///< rules move A B / activate A / deactivate A / delete A
    std::size_t rule_b = 0;
    std::optional<std::size_t> at;  ///< rules add --at N
    bool rule_numbers = false;
    bool json = false;
    std::string family;  ///< compile: "" (both), ipv4 or ipv6
    std::string dump;    ///< compile: "" (rules), model or ir
    bool verbose = false;
    std::string help_text;
    // apply / confirm (apply_command.cpp)
    bool apply_test = false;
    bool apply_boot = false;
    std::optional<unsigned> confirm_seconds;
    std::string state_dir = "/var/lib/vuurmuur";
    std::string backend;  ///< apply: "" (restore) or libiptc / restore
};

/// Whether running `o` touches the running firewall (and so needs root): apply, confirm,
/// diff, capabilities, watch, --reload, and changes that apply (--apply; --block and
/// --unblock unless --no-apply).
bool needs_kernel(const ScriptOptions& o);

struct ParseResult {
    std::optional<ScriptOptions> options;
    std::string error;  ///< usage error when options is empty
};

ParseResult parse_options(const std::vector<std::string>& args);

}  // namespace vuurmuur::script
