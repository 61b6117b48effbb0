// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

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

enum class Mode { None, List, Print, Check, Compile, Help, Version };

struct ScriptOptions {
    Mode mode = Mode::None;
    std::string config_dir = "/etc/vuurmuur";
    std::optional<model::ObjectKind> kind;
    std::string object;        ///< the name after -o/-g/-n/-z/-s/-i/-r
    std::string variable;      ///< -V
    bool rule_numbers = false;
    bool json = false;
    std::string family;  ///< compile: "" (both), ipv4 or ipv6
    std::string dump;    ///< compile: "" (rules), model or ir
    bool verbose = false;
    std::string help_text;
};

struct ParseResult {
    std::optional<ScriptOptions> options;
    std::string error;  ///< usage error when options is empty
};

ParseResult parse_options(const std::vector<std::string>& args);

}  // namespace vuurmuur::script
